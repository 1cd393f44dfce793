// 自动回访记录 in the 回访 tab: the campaign's surveys (GET /api/surveys) and, for one, its calls (GET
// /api/surveys/{id}) — time, outcome, key, recognised words, reason (masked by the server for all but
// supervisors and admins) — each with a player on the call's recording_url. The server gives a
// recording_url only to supervisors and admins (a survey call's recording is the reviewers' alone,
// docs/surveys.md); nobody else gets a player. No path is built here: the URL is the server's.

import { api, errorText, query } from "./api.js";
import { empty, field, h, select, table, when } from "./dom.js";
import { label, options } from "./labels.js";
import { openOrder } from "./order.js";

const LIMIT = 50;
const NO_REPLAY = "录音仅督办员、管理员可收听";

/** aria-busy on `node` while `work` runs (screen readers wait; the inbox page does the same). */
export async function busy(node, work) {
  node.setAttribute("aria-busy", "true");
  try { return await work(); } finally { node.removeAttribute("aria-busy"); }
}

/** The state filter of the survey list: "" (all) or a survey state. */
export function stateFilter(onChange) {
  const control = select("survey-state", options("survey_state"), "", "全部状态");
  control.addEventListener("change", () => onChange(control.value));
  return { node: field("回访状态", control), control };
}

export async function loadSurveys(state) {
  return (await api("GET", `/api/surveys?${query({ state, limit: LIMIT })}`)).items;
}

function surveyRow(survey, onPick, selected) {
  const row = h("li", { class: selected ? "order-row survey-row selected" : "order-row survey-row", tabindex: "0", data: { survey: survey.id } },
    h("div", { class: "row-head" }, h("strong", { text: `回访 #${survey.id}` }),
      h("span", { class: `tag survey-${survey.state}`, text: label("survey_state", survey.state) }),
      survey.outcome ? h("span", { class: "tag", text: label("survey_outcome", survey.outcome) }) : null),
    h("div", { class: "muted", text: `工单 #${survey.ticket_id} · 回单 ${when(survey.concluded_at)} · 已呼 ${survey.attempts}/${survey.max_attempts}` }));
  row.addEventListener("click", () => onPick(survey));
  row.addEventListener("keydown", (event) => { if (event.key === "Enter") onPick(survey); });
  return row;
}

export function surveyList(surveys, onPick, selectedId) {
  if (!surveys.length) return empty("暂无自动回访记录");
  return h("ul", { class: "order-list survey-list", "aria-label": "自动回访记录" }, surveys.map((s) => surveyRow(s, onPick, s.id === selectedId)));
}

function player(call) {
  if (call.recording_url) {
    return h("audio", { controls: "", preload: "none", src: call.recording_url, "aria-label": `第 ${call.attempt} 次外呼录音` });
  }
  return h("span", { class: "muted", text: call.has_recording ? NO_REPLAY : "无录音" });
}

function callRows(calls) {
  return calls.map((c) => h("tr", { data: { attempt: c.attempt } },
    h("td", { text: `${c.attempt}` }), h("td", { text: when(c.started_at) }),
    h("td", { text: label("survey_outcome", c.outcome) }), h("td", { text: c.key || "—" }),
    h("td", { class: "said", text: c.words || "—" }), h("td", { class: "said", text: c.reason || "—" }),
    h("td", null, player(c))));
}

/** One survey: its facts, then its calls with a player each (for those who may listen). */
export function surveyPane(surveyId) {
  const box = h("section", { class: "survey-pane", "aria-label": `自动回访 #${surveyId}` }, empty("加载回访记录…"));
  busy(box, async () => {
    try {
      const s = await api("GET", `/api/surveys/${encodeURIComponent(surveyId)}`);
      box.replaceChildren(
        h("div", { class: "order-head" }, h("h3", { text: `自动回访 #${s.id}` }),
          h("span", { class: `tag survey-${s.state}`, text: label("survey_state", s.state) }),
          s.note ? h("span", { class: "tag", text: label("survey_note", s.note) }) : null),
        h("p", { class: "muted", text: `回单 ${when(s.concluded_at)} · 回访时限 ${when(s.window_end)} · 已呼 ${s.attempts}/${s.max_attempts}${s.next_attempt_at ? ` · 下次外呼 ${when(s.next_attempt_at)}` : ""}` }),
        h("button", { type: "button", text: `查看工单 #${s.ticket_id}`, on: { click: () => openOrder(s.ticket_id) } }),
        h("h4", { text: "外呼记录" }),
        s.calls.length ? table(["次", "外呼时间", "结果", "按键", "识别内容", "不满意原因", "录音"], callRows(s.calls)) : empty("尚未外呼"));
    } catch (error) {
      box.replaceChildren(empty(errorText(error)));
    }
  });
  return box;
}
