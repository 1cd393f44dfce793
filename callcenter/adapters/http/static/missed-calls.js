// 12345 热线 · 漏接回拨 (missed-call call-backs): the list from /api/missed-calls, retry and cancel for
// supervisors. Security: every value is written with textContent (never as HTML); no inline script or
// style, no eval: the page runs under the app's strict CSP.
"use strict";

const STATES = {
  pending: "待回拨", dialing: "呼叫中", answered: "已接听·等待坐席", retry_wait: "等待重拨",
  done: "已回拨", failed: "回拨失败", cancelled: "已取消", not_callable: "号码无法回拨",
};
const REASONS = { abandoned: "放弃呼叫", requested: "按键预约回拨" };
const OUTCOMES = {
  answered: "市民已接听", connected: "已接通坐席", hung_up: "市民接听后挂断", no_answer: "无人接听",
  busy: "占线/拒接", failed: "呼叫失败", lost: "结果未知",
};
const CLOSE = { answered_inbound: "市民再次来电已接通", supervisor: "班长操作" };
// Why a number is never dialled (missed_call_dial_allowed / missed_call_dial_refused; docs/missed-calls.md).
const REFUSED = {
  invalid_number: "号码无效或未显示", international: "国际号码", toll_free: "400/800号码",
  service: "特服号码", premium: "声讯/收费号码", not_domestic: "非国内固话或手机号码",
};
const MANAGERS = ["supervisor", "admin"];
const REFRESH_MS = 5000;

const state = { role: "", timer: 0 };
const $ = (id) => document.getElementById(id);

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}
function when(iso) {
  return iso ? new Date(iso).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false }) : "—";
}
function say(text) { $("message").hidden = !text; $("message").textContent = text || ""; }

function outcomeText(item) {
  if (item.state === "cancelled") return CLOSE[item.close_reason] || "已取消";
  if (item.state === "not_callable") return REFUSED[item.close_reason] || item.close_reason || "—";
  return item.outcome ? OUTCOMES[item.outcome] || item.outcome : "—";
}
function row(item) {
  const tr = el("tr", null, `state-${item.state}`);
  tr.append(
    el("td", item.id), el("td", item.citizen_number), el("td", REASONS[item.reason] || item.reason),
    el("td", when(item.last_missed_at)), el("td", item.misses), el("td", STATES[item.state] || item.state),
    el("td", `${item.attempts}/${item.max_attempts}`), el("td", outcomeText(item)),
    el("td", when(item.next_attempt_at)), el("td", item.agent || "—"),
  );
  const actions = el("td", null, "actions");
  if (MANAGERS.includes(state.role)) {
    if (["pending", "retry_wait", "failed", "cancelled"].includes(item.state)) actions.append(button("立即回拨", item.id, "retry"));
    if (["pending", "retry_wait"].includes(item.state)) actions.append(button("取消", item.id, "cancel", "danger"));
  }
  tr.append(actions);
  return tr;
}
function button(text, id, command, cls) {
  const b = el("button", text, `small ${cls || ""}`.trim());
  b.type = "button";
  b.addEventListener("click", () => act(id, command));
  return b;
}

async function act(id, command) {
  let response;
  try {
    response = await fetch(`/api/missed-calls/${encodeURIComponent(id)}/${command}`, { method: "POST", credentials: "same-origin" });
  } catch { say("网络连接失败"); return; }
  if (!response.ok) {
    let body = {};
    try { body = await response.json(); } catch { /* not JSON */ }
    say(body.code === "invalid_transition" ? "该记录当前状态不允许此操作" : `操作失败（${response.status}）`);
  } else {
    say("");
  }
  load();
}

async function load() {
  clearTimeout(state.timer);
  const form = $("filters").elements;
  const query = new URLSearchParams();
  if (form.namedItem("state").value) query.set("state", form.namedItem("state").value);
  if (form.namedItem("date").value) query.set("date", form.namedItem("date").value);
  let response;
  try { response = await fetch(`/api/missed-calls?${query}`, { credentials: "same-origin" }); } catch { say("网络连接失败"); schedule(); return; }
  if (response.status === 401) { showLogin(); return; }
  if (response.status === 403) { showLogin("当前账号无权查看回拨列表"); return; }
  if (!response.ok) { say("数据暂不可用"); schedule(); return; }
  const body = await response.json();
  $("rows").replaceChildren(...body.items.map(row));
  $("empty").hidden = body.items.length > 0;
  schedule();
}
function schedule() { state.timer = setTimeout(load, REFRESH_MS); }

function showLogin(text) {
  clearTimeout(state.timer);
  $("list").hidden = true; $("login").hidden = false;
  say(text);
}
function login(event) { return submitLogin(event, showLogin, start); }
async function start() {
  let response;
  try { response = await fetch("/api/me", { credentials: "same-origin" }); } catch { setTimeout(start, 5000); return; }
  if (!response.ok) { showLogin(); return; }
  const me = await response.json();
  state.role = me.role || "";
  $("who").textContent = me.display_name || me.id || "";
  $("login").hidden = true; $("list").hidden = false; say("");
  load();
}

$("login-form").addEventListener("submit", login);
$("filters").addEventListener("submit", (event) => { event.preventDefault(); load(); });
start();
