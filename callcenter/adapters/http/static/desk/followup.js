// 回访, the callback survey (agents, supervisors): replied orders to schedule, surveys to record (满意 / 基本满意 /
// 不满意 / 联系不上); the automated campaign (自动回访) today, its switches for supervisors, and the surveys it handed
// to the manual list (转人工); the campaign's surveys with their calls and recordings (desk/surveys.js).

import { api, errorText, query } from "./api.js";
import { empty, field, fill, h, select } from "./dom.js";
import { label, options } from "./labels.js";
import { busy, loadSurveys, stateFilter, surveyList, surveyPane } from "./surveys.js";
import { act, actionForm, button, loadOrder, orderFacts, orderHeader, orderHistory, orderList, requestText, submit } from "./order.js";

function scheduleForm(order, done) {
  const { form, msg } = actionForm("安排回访", [h("p", { class: "muted", text: "承办单位已回单，安排回访市民。" })], [
    button("安排回访", () => submit(msg, order, () => act(order, "schedule_callback", {}), done, "已安排回访"), "primary"),
  ]);
  return form;
}

function callbackForm(order, done) {
  const outcome = select("outcome", options("callback_outcome"), "satisfied");
  const note = h("textarea", { name: "note", rows: 2, placeholder: "回访记录（市民意见）" });
  const { form, msg } = actionForm("回访结果", [field("结果", outcome), field("回访记录", note, "wide")], [
    button("保存回访结果", () => {
      if (outcome.value === "dissatisfied" && !note.value.trim()) return msg.show("不满意时请记录市民意见", "error");
      return submit(msg, order, () => act(order, "callback", { outcome: outcome.value, note: note.value }), done, "回访结果已保存");
    }, "primary"),
    declineButton(order, (text, kind) => msg.show(text, kind)),
  ]);
  return form;
}

// 拒绝回访 and taking it back: one button that says what pressing it will do, once the state is known.
function declineButton(order, show) {
  let declined = null;
  const shown = () => {
    btn.textContent = declined ? "撤销拒绝回访" : "市民拒绝回访";
    btn.disabled = declined === null;
  };
  const btn = button("市民拒绝回访", async () => {
    try {
      if (declined) {
        await api("POST", "/api/surveys/declines/withdraw", { ticket_id: order.id });
        declined = false;
        show("已撤销：今后恢复自动回访该市民", "ok");
      } else {
        await api("POST", "/api/surveys/declines", { ticket_id: order.id });
        declined = true;
        show("已记录：今后不再自动回访该市民", "ok");
      }
      shown();
    } catch (error) { show(errorText(error), "error"); }
  });
  btn.dataset.role = "decline";
  shown();
  api("GET", `/api/surveys/declines/${order.id}`)
    .then((state) => { declined = state.declined; shown(); })
    .catch(() => { declined = false; shown(); });
  return btn;
}

function phoneLine(order) {
  const phone = order.citizen && order.citizen.phone ? order.citizen.phone : order.caller_number;
  return h("p", { class: "callback-phone" }, "回访电话：", h("strong", { text: phone || "—" }),
    order.citizen && order.citizen.name ? `（${order.citizen.name}）` : "");
}

export function callbackPane(order, done) {
  const form = order.status === "replied" ? scheduleForm(order, done)
    : order.status === "callback_pending" || order.status === "resolved_on_call" ? callbackForm(order, done) : null;
  return [orderHeader(order), phoneLine(order), form, requestText(order), orderHistory(order), orderFacts(order)];
}

const MANAGERS = new Set(["supervisor", "admin"]);

function campaignLine(today) {
  const parts = [
    `待呼 ${today.due}`, `已呼 ${today.placed}`, `接通 ${today.answered}`, `满意 ${today.satisfied}`,
    `基本满意 ${today.basically_satisfied}`, `不满意 ${today.dissatisfied}`, `未接通 ${today.unreachable}`,
    `转人工 ${today.manual}`,
  ];
  return h("p", { class: "muted campaign-line", text: `${today.paused ? "已暂停" : "进行中"} · 线路 ${today.channels} · ${parts.join(" · ")}` });
}

function campaignSwitches(today, refresh, notice) {
  const channels = h("input", { type: "number", min: 0, max: 200, value: String(today.channels), name: "channels" });
  const run = async (request) => {
    try { await request(); refresh(); } catch (error) {
      notice.hidden = false; notice.textContent = errorText(error); notice.className = "message error";
    }
  };
  const toggle = today.paused
    ? button("恢复自动回访", () => run(() => api("POST", "/api/surveys/campaign/resume")))
    : button("暂停自动回访", () => run(() => api("POST", "/api/surveys/campaign/pause")));
  return h("div", { class: "campaign-switches" }, toggle, channels,
    button("设置线路数", () => run(() => api("PUT", "/api/surveys/campaign/concurrency", { channels: Number(channels.value) }))));
}

function manualSummaries(items) {
  return items.map((s) => ({ id: s.ticket_id, summary: `自动回访未完成（${label("survey_note", s.note)}）`, status: "resolved_on_call", created_at: s.concluded_at }));
}

export function followupView(me) {
  const list = h("div", { class: "list-pane" });
  const notice = h("p", { class: "message", hidden: true });
  const work = h("div", { class: "work-pane" }, empty("选择一张待回访工单或一条自动回访记录"));
  const root = h("div", { class: "workbench" }, list, work);
  let selected = null;
  let selectedSurvey = null;
  let surveyState = "";
  const filter = stateFilter((state) => { surveyState = state; refresh(); });

  const done = (updated, note) => { show(updated, note); refresh(); };
  function show(order, note) {
    selected = order;
    selectedSurvey = null;
    notice.hidden = !note;
    if (note) { notice.textContent = note.text; notice.className = `message ${note.kind}`; }
    fill(work, [notice, callbackPane(order, done)]);
  }
  async function pick(summary) {
    try { show(await loadOrder(summary.id)); } catch (error) { work.replaceChildren(empty(errorText(error))); }
  }
  function pickSurvey(survey) {
    selected = null;
    selectedSurvey = survey.id;
    work.replaceChildren(surveyPane(survey.id));
    for (const row of list.querySelectorAll(".survey-row")) row.classList.toggle("selected", row.dataset.survey === String(survey.id));
  }
  async function load() {
    try {
      const [replied, pending, today, manual, surveys] = await Promise.all([
        api("GET", `/api/workorders?${query({ status: "replied", limit: 100 })}`),
        api("GET", `/api/workorders?${query({ status: "callback_pending", limit: 100 })}`),
        api("GET", "/api/surveys/campaign"),
        api("GET", `/api/surveys?${query({ state: "manual", limit: 100 })}`),
        loadSurveys(surveyState),
      ]);
      const onCall = manual.items.filter((s) => s.trigger === "resolved_on_call");
      list.replaceChildren(
        h("h3", { text: "自动回访（今日）" }), campaignLine(today),
        me && MANAGERS.has(me.role) ? campaignSwitches(today, refresh, notice) : null,
        h("h3", { text: `已回单待安排（${replied.items.length}）` }), orderList(replied.items, pick, selected && selected.id, "无"),
        h("h3", { text: `直接办结转人工回访（${onCall.length}）` }), orderList(manualSummaries(onCall), pick, selected && selected.id, "无"),
        h("h3", { text: `待回访（${pending.items.length}）` }), orderList(pending.items, pick, selected && selected.id, "无"),
        h("h3", { text: `自动回访记录（${surveys.length}）` }), filter.node, surveyList(surveys, pickSurvey, selectedSurvey));
    } catch (error) {
      list.replaceChildren(empty(errorText(error)));
    }
  }
  const refresh = () => busy(list, load);
  return { root, refresh };
}
