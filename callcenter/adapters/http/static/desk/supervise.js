// 督办 (supervisor): extensions to approve or refuse, overdue orders, supervisions (open, list, close),
// 重办 with a reason, and 督办 / 评单 / 考单 notes on any order.

import { api, errorText, query } from "./api.js";
import { empty, field, fill, h, select, shanghaiIso, when } from "./dom.js";
import { label, options } from "./labels.js";
import {
  act, actionForm, button, loadOrder, orderFacts, orderHeader, orderHistory, orderList, requestText, submit, supervisionBox,
} from "./order.js";

const REOPENABLE = new Set(["replied", "callback_pending", "closed", "resolved_on_call"]);
const WITH_UNIT = ["dispatched", "acknowledged", "in_progress"];

function extensionForms(order, done) {
  const pending = (order.extensions || []).find((x) => x.status === "pending");
  if (!pending) return null;
  const days = h("input", { type: "number", name: "working_days", min: 1, max: 30, value: String(pending.working_days) });
  const reason = h("input", { name: "reason", placeholder: "不批准的理由" });
  const { form, msg } = actionForm(`延期审批：申请 ${pending.working_days} 个工作日（${pending.reason}）`,
    [field("批准天数", days), field("不批准理由", reason, "wide")], [
      button("批准延期", () => {
        const n = Number.parseInt(days.value, 10);
        const fields = Number.isInteger(n) && n > 0 ? { working_days: n } : {};
        return submit(msg, order, () => act(order, "approve_extension", fields), done, "已批准延期，时限已顺延");
      }, "primary"),
      button("不批准", () => {
        if (!reason.value.trim()) return msg.show("请填写不批准的理由", "error");
        return submit(msg, order, () => act(order, "reject_extension", { reason: reason.value }), done, "已不批准延期");
      }),
    ]);
  return form;
}

/** Open a supervision (POST /api/supervisions) on an order. */
function openSupervisionForm(order, done) {
  const kind = select("kind", options("supervision_kind"), "platform");
  const note = h("textarea", { name: "note", rows: 2, placeholder: "督办事项与要求" });
  const due = h("input", { type: "datetime-local", name: "due_at" });
  const { form, msg } = actionForm("发起督办", [field("督办类型", kind), field("督办期限（北京时间）", due), field("督办说明", note, "wide")], [
    button("发起督办", async () => {
      if (!note.value.trim()) return msg.show("请填写督办说明", "error");
      const body = { ticket_id: order.id, kind: kind.value, note: note.value, due_at: shanghaiIso(due.value) };
      return submit(msg, null, async () => { await api("POST", "/api/supervisions", body); return loadOrder(order.id); }, done, "已发起督办");
    }, "primary"),
  ]);
  return form;
}

/** Close one open supervision with a note (POST /api/supervisions/{id}/close). */
export function closeSupervisionForm(s, done) {
  const note = h("input", { name: "closing_note", placeholder: "办结说明（如：单位已整改）" });
  const title = `结束督办 #${s.id}：${label("supervision_kind", s.kind)}（${label("supervision_trigger", s.trigger)}）${s.note ? ` —— ${s.note}` : ""}`;
  const { form, msg } = actionForm(title, [field("结束说明", note, "wide")], [button("结束督办", () => {
    if (!note.value.trim()) return msg.show("请填写结束说明", "error");
    return submit(msg, null, () => api("POST", `/api/supervisions/${s.id}/close`, { closing_note: note.value }), done, `督办 #${s.id} 已结束`);
  })]);
  return form;
}

function openSupervisionsOf(order, done) {
  const box = h("div");
  api("GET", `/api/workorders/${order.id}/supervision`).then((data) => {
    const open = data.supervisions.filter((s) => s.status === "open");
    box.replaceChildren(...open.map((s) => closeSupervisionForm(s, async (_closed, note) => done(await loadOrder(order.id), note))));
  }).catch((error) => box.replaceChildren(empty(errorText(error))));
  return box;
}

function noteForm(order, done, action, title) {
  const note = h("textarea", { name: "note", rows: 2 });
  const { form, msg } = actionForm(title, [field("意见", note, "wide")], [button(`提交${title}`, () => {
    if (!note.value.trim()) return msg.show("请填写意见", "error");
    const change = action === "review" ? () => act(order, "review", { note: note.value })
      : action === "assess" ? () => act(order, "assess", { note: note.value })
        : () => act(order, "supervise", { note: note.value });
    return submit(msg, order, change, done, `已记录${title}`);
  })]);
  return form;
}

function reopenForm(order, done) {
  const reason = h("textarea", { name: "reason", rows: 2, placeholder: "重办理由" });
  const { form, msg } = actionForm("重办", [field("理由", reason, "wide")], [button("重办", () => {
    if (!reason.value.trim()) return msg.show("请填写重办理由", "error");
    return submit(msg, order, () => act(order, "reopen", { reason: reason.value }), done, "已重办");
  }, "danger")]);
  return form;
}

export function supervisePane(order, done) {
  return [orderHeader(order), requestText(order), orderFacts(order), orderHistory(order), supervisionBox(order),
    extensionForms(order, done), openSupervisionsOf(order, done), openSupervisionForm(order, done),
    REOPENABLE.has(order.status) ? reopenForm(order, done) : null,
    order.status !== "draft" ? h("div", { class: "notes" }, noteForm(order, done, "supervise", "督办意见"),
      noteForm(order, done, "review", "评单"), noteForm(order, done, "assess", "考单")) : null];
}

/** An admin's inbox is the dispatcher queue; build the supervisor's one from the order lists instead. */
async function adminInbox() {
  const now = Date.now();
  const pages = await Promise.all(WITH_UNIT.map((status) => api("GET", `/api/workorders?${query({ status, limit: 200 })}`)));
  return pages.flatMap((p) => p.items).filter((o) => o.extension_pending || (o.due_at && Date.parse(o.due_at) < now));
}

export function superviseView(me) {
  const inbox = h("div");
  const opened = h("div");
  const lookup = h("input", { name: "order_id", placeholder: "工单号", inputmode: "numeric" });
  const list = h("div", { class: "list-pane" },
    h("form", { class: "inline", on: { submit: (e) => { e.preventDefault(); pickId(lookup.value.trim()); } } },
      lookup, h("button", { type: "submit", text: "打开工单" })), inbox, opened);
  const notice = h("p", { class: "message", hidden: true });
  const work = h("div", { class: "work-pane" }, empty("选择待办工单或督办事项"));
  const root = h("div", { class: "workbench" }, list, work);
  let selected = null;

  const done = (updated, note) => { show(updated, note); refresh(); };
  function say(note) {
    notice.hidden = !note;
    if (note) { notice.textContent = note.text; notice.className = `message ${note.kind}`; }
  }
  function show(order, note) {
    selected = order;
    say(note);
    fill(work, [notice, supervisePane(order, done)]);
  }
  async function pickId(id) {
    if (!/^\d+$/.test(id)) return;
    try { show(await loadOrder(id)); } catch (error) { work.replaceChildren(empty(errorText(error))); }
  }
  function pickSupervision(s) {
    if (s.ticket_id) return pickId(String(s.ticket_id));
    selected = null;
    say(null);
    return work.replaceChildren(notice, h("h3", { text: `并单 #${s.matter_id} 的督办` }),
      closeSupervisionForm(s, (_closed, note) => { say(note); refresh(); }));
  }
  async function refresh() {
    try {
      const items = me.role === "supervisor" ? (await api("GET", `/api/workorders/inbox?${query({ limit: 100 })}`)).items : await adminInbox();
      inbox.replaceChildren(h("h3", { text: `待审批延期与超期工单（${items.length}）` }),
        orderList(items, (o) => pickId(String(o.id)), selected && selected.id, "无待办"));
    } catch (error) {
      inbox.replaceChildren(empty(errorText(error)));
    }
    try {
      const data = await api("GET", `/api/supervisions?${query({ status: "open", limit: 100 })}`);
      opened.replaceChildren(h("h3", { text: `督办中（${data.items.length}）` }), data.items.length
        ? h("ul", { class: "order-list" }, data.items.map((s) => h("li", { class: "order-row", tabindex: "0", on: { click: () => pickSupervision(s) } },
          h("div", { class: "row-head" }, h("strong", { text: s.ticket_id ? `工单 #${s.ticket_id}` : `并单 #${s.matter_id}` }),
            h("span", { class: "tag", text: label("supervision_kind", s.kind) }), h("span", { class: "tag", text: label("supervision_trigger", s.trigger) })),
          h("div", { class: "row-summary", text: s.note || "" }),
          h("div", { class: "muted", text: `${s.opened_by} ${when(s.opened_at)}${s.due_at ? ` · 期限 ${when(s.due_at)}` : ""}` }))))
        : empty("无进行中的督办"));
    } catch (error) {
      opened.replaceChildren(empty(errorText(error)));
    }
  }
  return { root, refresh, pickId };
}
