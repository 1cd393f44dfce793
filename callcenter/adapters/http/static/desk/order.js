// A work order on screen: list rows, the header with its deadline card, every field, the history, the audit
// trail, supervisions and alerts; and the one way to change an order (with its version, 409 handled).

import { api } from "./api.js";
import { categoryLabel, unitLabel } from "./catalogue.js";
import { h, when, table, empty, messageLine } from "./dom.js";
import { errorText } from "./api.js";
import { label } from "./labels.js";

const WITH_UNIT = new Set(["dispatched", "acknowledged", "in_progress"]);
export const CONFLICT = "工单已被他人修改，已刷新";

export function loadOrder(id) {
  return api("GET", `/api/workorders/${id}`);
}

/** POST one life-cycle action with the order's version. */
export function act(order, action, fields) {
  return api("POST", `/api/workorders/${order.id}/actions/${action}`, { version: order.version, ...fields });
}

/** Ask other views to open an order in 工单查询. */
export function openOrder(id) {
  document.dispatchEvent(new CustomEvent("desk:open-order", { detail: id }));
}

/** 黄牌 / 红牌 from the order's own deadline while it is with the unit: {cls, text}. */
export function deadlineCard(order, now = Date.now()) {
  if (!order.due_at) return { cls: "due none", text: "未计时限" };
  const due = Date.parse(order.due_at);
  const provisional = order.deadline_provisional ? "（暂定）" : "";
  if (!WITH_UNIT.has(order.status)) return { cls: "due", text: `时限 ${when(order.due_at)}${provisional}` };
  if (now >= due) return { cls: "due red", text: `红牌 超期 ${when(order.due_at)}${provisional}` };
  if (order.warn_at && now >= Date.parse(order.warn_at)) {
    return { cls: "due yellow", text: `黄牌 临期 ${when(order.due_at)}${provisional}` };
  }
  return { cls: "due ok", text: `时限 ${when(order.due_at)}${provisional}` };
}

export function statusTag(status) {
  return h("span", { class: `tag status-${status}`, text: label("status", status) });
}

function urgencyTag(urgency) {
  return urgency && urgency !== "normal" ? h("span", { class: `tag urgency-${urgency}`, text: label("urgency", urgency) }) : null;
}

/** A list row: id, status, summary, deadline; click to select. */
export function orderRow(order, onPick, selected) {
  const card = deadlineCard(order);
  const row = h("li", { class: selected ? "order-row selected" : "order-row", tabindex: "0", data: { id: order.id } },
    h("div", { class: "row-head" }, h("strong", { text: `#${order.id}` }), statusTag(order.status), urgencyTag(order.urgency),
      order.confidential ? h("span", { class: "tag secret", text: "保密" }) : null,
      order.extension_pending ? h("span", { class: "tag pending", text: "延期待批" }) : null,
      h("span", { class: card.cls, text: card.text })),
    h("div", { class: "row-summary", text: order.summary || "（待填写诉求摘要）" }),
    h("div", { class: "muted", text: `${order.caller_number || ""} · ${when(order.created_at)}${order.lead_unit ? ` · ${unitLabel(order.lead_unit)}` : ""}` }));
  row.addEventListener("click", () => onPick(order));
  row.addEventListener("keydown", (event) => { if (event.key === "Enter") onPick(order); });
  return row;
}

export function orderList(orders, onPick, selectedId, emptyText) {
  if (!orders.length) return empty(emptyText || "暂无工单");
  return h("ul", { class: "order-list" }, orders.map((o) => orderRow(o, onPick, o.id === selectedId)));
}

/** The header of an order pane: number, status, urgency, deadline card, 保密, 并单. */
export function orderHeader(order) {
  const card = deadlineCard(order);
  return h("div", { class: "order-head" },
    h("h3", { text: `工单 #${order.id}` }), statusTag(order.status), urgencyTag(order.urgency),
    order.confidential ? h("span", { class: "tag secret", text: "保密" }) : null,
    h("span", { class: card.cls, text: card.text }),
    order.matter_id ? h("a", { href: `#search?matter=${order.matter_id}`, class: "tag matter", text: `并单 #${order.matter_id}` }) : null);
}

function fact(name, value) {
  return [h("dt", { text: name }), h("dd", { text: value === undefined || value === null || value === "" ? "—" : String(value) })];
}

/** Every field of the order, as a definition list. */
export function orderFacts(order) {
  const citizen = order.citizen;
  return h("dl", { class: "facts" },
    fact("诉求摘要", order.summary),
    fact("来源", label("source", order.source)),
    fact("来电号码", order.caller_number),
    fact("市民姓名", citizen ? citizen.name : "（保密）"),
    fact("联系电话", citizen ? citizen.phone : "（保密）"),
    fact("保密工单", order.confidential ? "是" : "否"),
    fact("诉求分类", categoryLabel(order.category_code)),
    fact("诉求类型", label("request_type", order.request_type)),
    fact("紧急程度", label("urgency", order.urgency)),
    fact("地址", order.address),
    fact("区域代码", order.area_code),
    fact("主办单位", unitLabel(order.lead_unit)),
    fact("协办单位", (order.assisting_units || []).map(unitLabel).join("、")),
    fact("创建时间", when(order.created_at)),
    fact("受理时间", when(order.registered_at)),
    fact("派单时间", when(order.dispatched_at)),
    fact("联系时限", when(order.contact_due_at)),
    fact("预警时间", when(order.warn_at)),
    fact("办理时限", `${when(order.due_at)}${order.deadline_provisional ? "（暂定：该年度节假日未公布）" : ""}`),
    fact("办结时间", when(order.closed_at)),
    fact("延期申请", order.extension_pending ? "待审批" : "无"),
    fact("并单", order.matter_id ? `#${order.matter_id}` : ""),
    order.failure_reason ? fact("转写提示", label("failure", order.failure_reason)) : null,
    fact("版本", order.version));
}

/** What the handling units read of a confidential order (hotline staff only get `unit_view`). */
function unitView(order) {
  if (!order.confidential || !order.unit_view) return null;
  const title = order.unit_summary ? "承办单位看到的内容（对单位摘要）" : "承办单位看到的内容（已隐去举报人信息）";
  return [h("h4", { text: title }), h("p", { class: "request-text unit-view", text: order.unit_view.request_text || "—" })];
}

export function requestText(order) {
  return [h("h4", { text: "诉求内容" }), h("p", { class: "request-text", text: order.request_text || "—" }), unitView(order),
    order.resolution ? [h("h4", { text: "直接办结答复" }), h("p", { class: "request-text", text: order.resolution })] : null];
}

function entries(title, items, row) {
  if (!items || !items.length) return null;
  return h("section", { class: "history" }, h("h4", { text: title }), h("ul", null, items.map((item) => h("li", null, row(item)))));
}

function by(item) {
  return h("span", { class: "muted", text: ` —— ${item.by || ""}${item.unit ? `（${unitLabel(item.unit)}）` : ""} ${when(item.at)}` });
}

/** Replies, contributions, returns, extensions, callbacks and annotations, each with who and when. */
export function orderHistory(order) {
  return h("div", null,
    entries("回单", order.replies, (e) => [e.text, by(e)]),
    entries("协办意见", order.contributions, (e) => [e.text, by(e)]),
    entries("退单", order.returns, (r) => [`${unitLabel(r.unit)} 退单：${r.reason}`,
      ` [${label("return_outcome", r.outcome)}${r.reassigned_to ? ` → ${unitLabel(r.reassigned_to)}` : ""}]`, by(r)]),
    entries("延期", order.extensions, (x) => [`申请 ${x.working_days} 个工作日：${x.reason}`,
      ` [${label("extension_status", x.status)}${x.approved_days ? `，批准 ${x.approved_days} 天` : ""}]`, by(x)]),
    entries("回访", order.callbacks, (a) => [`第 ${a.round} 次：${label("callback_outcome", a.outcome)}`,
      a.note ? ` —— ${a.note}` : "", by(a)]),
    entries("评单 / 考单 / 督办意见", order.annotations, (a) => [`${label("annotation", a.kind)}：${a.text}`, by(a)]));
}

function detailsText(details) {
  if (!details || typeof details !== "object") return "";
  return Object.entries(details)
    .filter(([, v]) => v !== null && v !== "" && !(Array.isArray(v) && !v.length))
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join("、") : typeof v === "object" ? JSON.stringify(v) : v}`)
    .join("；");
}

/** The audit trail: who, when, from → to, why. */
export function trailTable(trail) {
  if (!trail || !trail.length) return empty("暂无操作记录");
  return table(["时间", "操作", "操作人", "状态变化", "说明"], trail.map((t) => h("tr", null,
    h("td", { text: when(t.at) }), h("td", { text: label("action", t.action) }),
    h("td", { text: `${t.actor_id}（${label("role", t.actor_role)}${t.actor_unit ? ` · ${unitLabel(t.actor_unit)}` : ""}）` }),
    h("td", { text: `${label("status", t.from_status)} → ${label("status", t.to_status)}` }),
    h("td", { text: detailsText(t.details) }))));
}

/** Supervisions and alerts of one order (GET …/supervision), filled in when they arrive. */
export function supervisionBox(order) {
  const box = h("section", { class: "history" }, h("h4", { text: "督办与预警" }), empty("加载中…"));
  api("GET", `/api/workorders/${order.id}/supervision`).then((data) => {
    const rows = [];
    for (const a of data.alerts) rows.push(h("li", { class: `alert-${a.kind}`, text: `${label("alert", a.kind)}：时限 ${when(a.due_at)}，${when(a.raised_at)} 发出` }));
    for (const s of data.supervisions) {
      rows.push(h("li", null, `${label("supervision_kind", s.kind)} · ${label("supervision_trigger", s.trigger)} · ${label("supervision_status", s.status)}`,
        s.note ? ` —— ${s.note}` : "", h("span", { class: "muted", text: ` ${s.opened_by} ${when(s.opened_at)}${s.due_at ? `，督办期限 ${when(s.due_at)}` : ""}` }),
        s.closed_at ? h("span", { class: "muted", text: `；${s.closed_by} ${when(s.closed_at)} 结束：${s.closing_note}` }) : null));
    }
    box.lastChild.replaceWith(rows.length ? h("ul", null, rows) : empty("无督办、无预警"));
  }).catch((error) => box.lastChild.replaceWith(empty(errorText(error))));
  return box;
}

/** The whole order: header, fields, request, history, supervision, audit trail. */
export function orderDetail(order) {
  return h("div", { class: "order-detail" }, orderHeader(order), orderFacts(order), requestText(order),
    orderHistory(order), supervisionBox(order), h("h4", { text: "操作记录（审计）" }), trailTable(order.trail));
}

/**
 * A form that changes an order. `change()` returns the updated order; on success `done(updated, notice)`;
 * on a 409 concurrent_update the order is reloaded and `done(fresh, CONFLICT)`; other errors stay next to the form.
 */
export function actionForm(title, controls, buttons, cls) {
  const msg = messageLine();
  const form = h("form", { class: cls ? `action-form ${cls}` : "action-form" }, title ? h("h4", { text: title }) : null,
    h("div", { class: "controls" }, controls), h("div", { class: "buttons" }, buttons), msg.node);
  form.addEventListener("submit", (event) => event.preventDefault());
  return { form, msg };
}

export function button(text, onClick, cls) {
  return h("button", { type: "button", class: cls || "", text, on: { click: onClick } });
}

export async function submit(msg, order, change, done, okText) {
  msg.show("提交中…", "info");
  try {
    const updated = await change();
    done(updated, { text: okText || "已提交", kind: "ok" });
  } catch (error) {
    if (error.code === "concurrent_update" && order) {
      try {
        done(await loadOrder(order.id), { text: CONFLICT, kind: "error" });
      } catch (reload) {
        msg.show(errorText(reload), "error");
      }
    } else {
      msg.show(errorText(error), "error");
    }
  }
}
