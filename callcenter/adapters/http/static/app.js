// 12345 hotline read-only desk. Every value from the server is written with textContent,
// so text a citizen said (or typed) can never become markup or script.
"use strict";

const OUTCOME = { answered: "已接通", abandoned: "放弃", in_progress: "进行中", ended_in_greeting: "欢迎语中挂机", lost_track: "未跟踪" };
const FAILURE = {
  no_caller_speech: "未识别到来电人语音", silent: "录音无声", empty: "录音为空", unreadable: "录音无法读取",
  not_found: "录音文件缺失", too_short: "录音过短", transcription_failed: "转写失败",
};
const SPEAKER = { caller: "来电人", agent: "坐席" };

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}
function when(iso) { return iso ? new Date(iso).toLocaleString("zh-CN", { hour12: false }) : "—"; }
function secs(value) { return value === null || value === undefined ? "—" : `${Number(value).toFixed(1)} 秒`; }
async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

function renderCalls(items) {
  const body = document.querySelector("#calls tbody");
  body.replaceChildren();
  for (const call of items) {
    const row = el("tr", null, "clickable");
    row.append(el("td", when(call.arrived_at)), el("td", call.caller_number), el("td", OUTCOME[call.outcome] || call.outcome),
      el("td", secs(call.answer_delay)), el("td", call.agent || "—"), el("td", call.recording_complete ? "有" : "—"));
    row.addEventListener("click", () => showCall(call.call_id));
    body.append(row);
  }
}

function renderTickets(items) {
  const box = document.querySelector("#tickets");
  box.replaceChildren();
  if (!items.length) box.append(el("p", "暂无工单草稿", "muted"));
  for (const t of items) {
    const card = el("div", null, t.failure_reason ? "ticket flagged" : "ticket");
    card.append(el("strong", `工单 #${t.id} · 草稿`), el("div", `来电号码：${t.caller_number}`, "muted"),
      el("div", `诉求摘要：${t.summary || "（待坐席填写）"}`));
    if (t.failure_reason) card.append(el("div", `提示：${FAILURE[t.failure_reason] || t.failure_reason}`, "muted"));
    if (t.call_id) { card.classList.add("clickable"); card.addEventListener("click", () => showCall(t.call_id)); }
    box.append(card);
  }
}

async function showCall(callId) {
  const call = await getJson(`/api/calls/${encodeURIComponent(callId)}`);
  const body = document.querySelector("#detail-body");
  body.replaceChildren(el("div", `来电号码 ${call.caller_number} · ${when(call.arrived_at)} · ${OUTCOME[call.outcome] || call.outcome}`));
  if (call.recording_complete) {
    const audio = el("audio"); audio.controls = true; audio.preload = "none";
    audio.src = `/api/calls/${encodeURIComponent(callId)}/recording.wav`; body.append(audio);
  }
  const transcript = call.transcript;
  if (!transcript) body.append(el("p", "转写中…", "muted"));
  else if (transcript.status !== "ok") body.append(el("p", `转写失败：${FAILURE[transcript.error_code] || transcript.error_code}`, "muted"));
  else for (const seg of transcript.segments) {
    const line = el("div", null, `seg ${seg.speaker}`);
    line.append(el("span", SPEAKER[seg.speaker] || seg.speaker, "who"), el("span", `[${seg.start.toFixed(1)}s] ${seg.text}`));
    body.append(line);
  }
  document.querySelector("#detail").hidden = false;
}

async function refresh() {
  try {
    const [calls, tickets] = await Promise.all([getJson("/api/calls?limit=50"), getJson("/api/tickets?limit=50")]);
    renderCalls(calls.items); renderTickets(tickets.items);
    const health = await fetch("/api/health").then((r) => r.json());
    document.querySelector("#health").textContent = health.ok ? "系统正常" : "部分服务不可用";
  } catch (error) {
    document.querySelector("#health").textContent = "无法连接服务器";
  }
}

document.querySelector("#close").addEventListener("click", () => { document.querySelector("#detail").hidden = true; });
refresh();
setInterval(refresh, 3000);
