// 派单 (dispatcher): the queue of registered and returned orders; dispatch with the catalogue's suggestion,
// 改派 (reassign) or 驳回退单 (reject_return) for returned ones.

import { api, errorText, query } from "./api.js";
import { suggest, unitIdsOf, unitInput, unitLabel } from "./catalogue.js";
import { h, field, empty, codeOf, fill } from "./dom.js";
import { label } from "./labels.js";
import { act, actionForm, button, orderFacts, orderHeader, orderList, requestText, submit, loadOrder } from "./order.js";

/** Render a suggestion (catalogue.suggest) into `box`; `use(lead, assisting)` fills the form. */
export function showSuggestion(box, result, use) {
  box.replaceChildren();
  if (!result) return;
  if (result.area) box.append(h("div", { text: `区域：${result.area.path || result.area.name}（${result.area.code}）` }));
  else box.append(h("div", { class: "muted", text: "区域：地址未能定位" }));
  if (result.areaCandidates.length > 1) {
    box.append(h("div", { class: "muted", text: `地址可能在：${result.areaCandidates.map((a) => a.path || a.name).join("；")}` }));
  }
  if (result.route) {
    const { lead, assisting } = result.route;
    box.append(h("div", { class: "suggested" }, `一单通达建议：主办 ${unitLabel(lead)}`,
      assisting.length ? `；协办 ${assisting.map(unitLabel).join("、")}` : "",
      " ", button("采用", () => use(lead, assisting), "small")));
  }
  if (result.unclear) {
    box.append(h("div", { class: "unclear", text: `无法自动派单：${label("unclear", result.unclear.reason)}。可仅受理，由派单员处理。` }));
    for (const c of result.unclear.candidates) {
      box.append(h("div", { class: "candidate" }, `候选：${unitLabel(c.lead)}${c.assisting.length ? ` + ${c.assisting.map(unitLabel).join("、")}` : ""}${c.area ? `（区域 ${c.area}）` : ""} `,
        button("采用", () => use(c.lead, c.assisting), "small")));
    }
  }
}

/** Lead and assisting unit inputs, prefilled from the catalogue's suggestion for the order. */
export function unitInputs(order) {
  const lead = unitInput("lead_unit", "");
  const assisting = h("input", { name: "assisting_units", list: "unit-list", placeholder: "协办单位代码，多个用逗号分隔", autocomplete: "off" });
  const hint = h("div", { class: "suggestion" });
  const use = (leadId, assistingIds) => {
    lead.value = leadId;
    assisting.value = assistingIds.join(", ");
  };
  if (order && (order.address || order.category_code)) {
    suggest(order.address || "", order.category_code || "").then((result) => {
      showSuggestion(hint, result, use);
      if (result && result.route && !lead.value) use(result.route.lead, result.route.assisting);
    }).catch(() => hint.replaceChildren());
  }
  const controls = [field("主办单位", lead), field("协办单位", assisting), hint];
  return { controls, lead: () => codeOf(lead), assisting: () => unitIdsOf(assisting.value) };
}

/** 派单 or 改派 (action "dispatch" / "reassign") of one order. */
export function dispatchForm(order, done, action) {
  const units = unitInputs(order);
  const title = action === "reassign" ? "改派" : "派单";
  const { form, msg } = actionForm(title, units.controls, [button(title, () => {
    if (!units.lead()) return msg.show("请填写主办单位", "error");
    const fields = { lead_unit: units.lead(), assisting_units: units.assisting() };
    const change = action === "reassign" ? () => act(order, "reassign", fields) : () => act(order, "dispatch", fields);
    return submit(msg, order, change, done, `已${title}`);
  }, "primary")]);
  return form;
}

function rejectReturnForm(order, done) {
  const reason = h("textarea", { name: "reason", rows: 2, placeholder: "驳回理由（将告知退单单位）" });
  const { form, msg } = actionForm("驳回退单", [field("理由", reason, "wide")], [button("驳回退单", () => {
    if (!reason.value.trim()) return msg.show("请填写驳回理由", "error");
    return submit(msg, order, () => act(order, "reject_return", { reason: reason.value }), done, "已驳回退单，工单回到原单位");
  })]);
  return form;
}

function lastReturn(order) {
  const pending = (order.returns || []).filter((r) => r.outcome === "pending");
  return pending.length ? pending[pending.length - 1] : null;
}

/** The dispatcher's work on one order of the queue. */
export function dispatchPane(order, done) {
  const parts = [orderHeader(order), requestText(order), orderFacts(order)];
  if (order.status === "returned") {
    const r = lastReturn(order);
    if (r) parts.push(h("div", { class: "return-reason" }, h("strong", { text: `${unitLabel(r.unit)} 退单理由：` }), r.reason));
    parts.push(dispatchForm(order, done, "reassign"), rejectReturnForm(order, done));
  } else if (order.status === "registered") {
    parts.push(dispatchForm(order, done, "dispatch"));
  } else {
    parts.push(empty(`工单${label("status", order.status)}，不在派单队列中`));
  }
  return parts;
}

export function dispatchView() {
  const list = h("div", { class: "list-pane" });
  const notice = h("p", { class: "message", hidden: true });
  const pane = h("div", { class: "work-pane" }, empty("选择一张待派工单"));
  const root = h("div", { class: "workbench" }, list, pane);
  let selected = null;

  function show(order, note) {
    selected = order;
    notice.hidden = !note;
    if (note) { notice.textContent = note.text; notice.className = `message ${note.kind}`; }
    fill(pane, [notice, dispatchPane(order, (updated, n) => { show(updated, n); refresh(); })]);
  }

  async function pick(summary) {
    try { show(await loadOrder(summary.id)); } catch (error) { pane.replaceChildren(empty(errorText(error))); }
  }

  async function refresh() {
    try {
      const data = await api("GET", `/api/workorders/inbox?${query({ limit: 100 })}`);
      list.replaceChildren(h("h3", { text: `待派单（${data.items.length}）` }),
        orderList(data.items, pick, selected && selected.id, "派单队列为空"));
    } catch (error) {
      list.replaceChildren(empty(errorText(error)));
    }
  }
  return { root, refresh };
}
