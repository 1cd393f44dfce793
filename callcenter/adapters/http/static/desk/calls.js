// 通话 (quality inspection): calls with answer delay and outcome; transcript and replay of one call.
// The server shows a call only to the agent who answered it and to supervisors and admins (404 to anyone
// else, docs/desk.md "Who sees calls"); a call says has_recording and its recording_url, never a file path.

import { api, errorText, query } from "./api.js";
import { h, when, secs, table, empty } from "./dom.js";
import { label } from "./labels.js";
import { openOrder } from "./order.js";

const NOT_YOURS = "通话录音和完整转写仅接听该通话的坐席、班长和管理员可见；诉求内容见下方。";

/** Who was at the seat: the staff member who answered and the seat itself. */
function answeredBy(call) {
  if (!call.agent) return "";
  return call.answered_by ? ` · ${call.answered_by}（${call.agent}）` : ` · ${call.agent}`;
}

/** The call's recording player and its transcript (来电人 / 坐席), loaded from GET /api/calls/{id}. */
export function transcriptView(callId) {
  const box = h("div", { class: "transcript" }, empty("加载通话…"));
  api("GET", `/api/calls/${encodeURIComponent(callId)}`).then((call) => {
    box.replaceChildren(h("div", { class: "muted", text: `来电 ${call.caller_number} · ${when(call.arrived_at)} · ${label("call_outcome", call.outcome)} · 应答 ${secs(call.answer_delay)}${answeredBy(call)}` }));
    if (call.has_recording && call.recording_url) {
      box.append(h("audio", { controls: "", preload: "none", src: `/api/calls/${encodeURIComponent(callId)}/recording.wav` }));
    } else {
      box.append(empty("录音未完成或不可用"));
    }
    box.append(segments(call.transcript));
    if (call.ticket) box.append(h("button", { type: "button", text: `查看工单 #${call.ticket.id}`, on: { click: () => openOrder(call.ticket.id) } }));
  }).catch((error) => box.replaceChildren(empty(error.status === 404 ? NOT_YOURS : errorText(error))));
  return box;
}

function segments(transcript) {
  if (!transcript) return empty("转写中…");
  if (transcript.status !== "ok") return empty(`转写失败：${label("failure", transcript.error_code)}`);
  if (!transcript.segments.length) return empty("转写为空");
  return h("ol", { class: "segments" }, transcript.segments.map((seg) => h("li", { class: `seg ${seg.speaker}` },
    h("span", { class: "who", text: label("speaker", seg.speaker) }),
    h("span", { class: "at", text: `${Number(seg.start).toFixed(1)}s` }),
    h("span", { class: "said", text: seg.text }))));
}

export function callsView() {
  const list = h("div", { class: "list-pane" });
  const pane = h("div", { class: "work-pane" }, empty("选择一通电话查看转写和录音"));
  const root = h("div", { class: "workbench" }, list, pane);
  let offset = 0;

  function show(call) {
    pane.replaceChildren(h("h3", { text: `通话 ${call.call_id}` }), transcriptView(call.call_id));
  }

  async function refresh() {
    try {
      const data = await api("GET", `/api/calls?${query({ limit: 50, offset })}`);
      const rows = data.items.map((call) => h("tr", { class: "clickable", on: { click: () => show(call) } },
        h("td", { text: when(call.arrived_at) }), h("td", { text: call.caller_number }),
        h("td", { text: label("call_outcome", call.outcome) }), h("td", { text: secs(call.answer_delay) }),
        h("td", { text: secs(call.wait_seconds) }), h("td", { text: call.answered_by || call.agent || "—" }),
        h("td", { text: call.has_recording ? "有" : "—" })));
      list.replaceChildren(h("h3", { text: "通话记录" }),
        rows.length ? table(["来电时间", "来电号码", "结果", "应答时长", "等待时长", "坐席", "录音"], rows) : empty("暂无通话"),
        h("div", { class: "pager" },
          h("button", { type: "button", text: "上一页", disabled: offset === 0, on: { click: () => { offset = Math.max(0, offset - 50); refresh(); } } }),
          h("button", { type: "button", text: "下一页", disabled: rows.length < 50, on: { click: () => { offset += 50; refresh(); } } })));
    } catch (error) {
      list.replaceChildren(empty(errorText(error)));
    }
  }
  return { root, refresh };
}
