// 12345 热线 · 实时大屏 (the wallboard): numbers from /api/wallboard/stream, pushed by the server.
// Security: every value is written with textContent (never as HTML); no inline script or style, no eval:
// the page runs under the app's strict CSP. EventSource reconnects by itself; a refused stream (401/503)
// is retried here.
"use strict";

const QUEUES = {
  hotline: "普通话", "hotline-enterprise": "涉企", "hotline-dialect": "方言",
  "hotline-foreign": "外语", "hotline-callback": "预约回拨",
};
const AGENTS = [["idle", "空闲"], ["ringing", "振铃"], ["on_call", "通话中"], ["wrap_up", "话后整理"], ["paused", "示忙"]];
const REASONS = {
  today_rate_in_threshold: "今日15秒接通率", rolling_connection_rate: "滚动24小时接通率",
};
const STALE_MS = 5000; // the server republishes every second: 5 s of silence means the data is stale

const state = { source: null, lastAt: 0, snapshot: null };
const $ = (id) => document.getElementById(id);

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}
const pct = (rate) => (rate === null || rate === undefined ? "—" : `${(rate * 100).toFixed(1)}%`);
function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds || 0));
  const hh = Math.floor(s / 3600), mm = Math.floor((s % 3600) / 60), ss = s % 60;
  const two = (n) => String(n).padStart(2, "0");
  return hh > 0 ? `${hh}:${two(mm)}:${two(ss)}` : `${two(mm)}:${two(ss)}`;
}
const queueName = (name) => QUEUES[name] || name;

// ---- rendering -------------------------------------------------------------------------------------
function render(snap) {
  const t = snap.totals, target = snap.target, reasons = t.alarm.reasons || [];
  $("waiting").textContent = String(t.waiting);
  $("longest").textContent = duration(t.longest_wait_seconds);
  tile("tile-waiting", t.waiting > 0 ? "warn" : "good");
  tile("tile-longest", t.longest_wait_seconds > snap.threshold_seconds ? "bad" : t.waiting > 0 ? "warn" : "good");
  rateTile("rate", t.today.rate_in_threshold, target, reasons.includes("today_rate_in_threshold"));
  $("rate-note").textContent = `${t.today.answered_in_threshold} / ${t.today.offered} 通`;
  $("abandon").textContent = pct(t.today.abandon_rate);
  $("abandon-note").textContent = `放弃 ${t.today.abandoned} 通`;
  tile("tile-abandon", t.today.abandon_rate === null ? "" : t.today.abandon_rate > 1 - target ? "bad" : "good");
  rateTile("rolling", t.rolling_24h.connection_rate, target, reasons.includes("rolling_connection_rate"));
  $("rolling-note").textContent = `${t.rolling_24h.answered} / ${t.rolling_24h.offered} 通`;
  renderAlarm(t.alarm, target);
  renderAgents(t.agents);
  $("queues").replaceChildren(...snap.queues.map(queueRow));
  $("servers").replaceChildren(...snap.servers.map(serverRow));
}
function tile(id, cls) { $(id).className = `tile ${cls || ""}`.trim(); }
function rateTile(id, rate, target, atRisk) {
  $(id).textContent = pct(rate);
  const cls = rate === null ? "" : rate < target ? "bad" : atRisk ? "warn" : "good";
  tile(`tile-${id}`, cls);
}
function renderAlarm(alarm, target) {
  const box = $("alarm");
  box.hidden = !alarm.on;
  const names = (alarm.reasons || []).map((r) => REASONS[r] || r).join("、");
  box.textContent = alarm.on ? `⚠ 服务水平告警：${names}接近或低于 ${Math.round(target * 100)}% 目标` : "";
}
function renderAgents(agents) {
  $("agents").replaceChildren(...AGENTS.map(([key, name]) => {
    const box = el("div", null, `agent ${key}`);
    box.append(el("span", name, "name"), el("span", agents[key] || 0, "value"));
    return box;
  }));
}
function agentCells(row, agents) {
  for (const [key] of AGENTS) row.append(el("td", agents[key] || 0));
}
function queueRow(q) {
  const bad = q.alarm.on || (q.today.rate_in_threshold !== null && q.today.offered > 0 && q.today.rate_in_threshold < state.snapshot.target);
  const row = el("tr", null, [q.inbound ? "" : "outbound", q.waiting > 0 ? "waiting" : "", bad ? "bad" : ""].join(" ").trim());
  row.append(el("td", queueName(q.queue)), el("td", q.waiting), el("td", duration(q.longest_wait_seconds)));
  agentCells(row, q.agents);
  row.append(el("td", q.inbound ? q.today.offered : "—"), el("td", q.inbound ? pct(q.today.rate_in_threshold) : "—"));
  row.append(el("td", q.inbound ? pct(q.today.abandon_rate) : "—"));
  return row;
}
function serverRow(s) {
  const row = el("tr", null, s.waiting > 0 ? "waiting" : "");
  row.append(el("td", s.server), el("td", s.waiting), el("td", duration(s.longest_wait_seconds)));
  agentCells(row, s.agents);
  return row;
}

// ---- live data -------------------------------------------------------------------------------------
function setLive(kind, text) { const b = $("live"); b.textContent = text; b.className = `live ${kind}`; }
function connect() {
  if (state.source) state.source.close();
  const source = new EventSource("/api/wallboard/stream");
  state.source = source;
  source.addEventListener("snapshot", (event) => {
    let snap;
    try { snap = JSON.parse(event.data); } catch { return; }
    state.snapshot = snap; state.lastAt = Date.now();
    setLive("on", "实时");
    render(snap);
    $("fresh").textContent = `数据时间 ${when(snap.published_at)} · 最新话务事件 ${when(snap.source_event_at)}`;
  });
  source.addEventListener("error", () => {
    setLive("off", "重新连接中");
    if (source.readyState === EventSource.CLOSED) setTimeout(retry, 3000); // refused: the browser gives up
  });
}
async function retry() {
  let response;
  try { response = await fetch("/api/wallboard", { credentials: "same-origin" }); } catch { setTimeout(retry, 5000); return; }
  if (response.status === 401) { showLogin(); return; }
  if (response.status === 403) { showLogin("当前账号无权查看大屏"); return; }
  if (!response.ok) { setLive("off", "数据暂不可用"); setTimeout(retry, 5000); return; }
  connect();
}
function when(iso) {
  return iso ? new Date(iso).toLocaleTimeString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false }) : "—";
}
function tickClock() {
  $("clock").textContent = new Date().toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false });
  if (state.lastAt && Date.now() - state.lastAt > STALE_MS) setLive("stale", "数据延迟");
}

// ---- login -----------------------------------------------------------------------------------------
function showLogin(text) {
  if (state.source) { state.source.close(); state.source = null; }
  $("board").hidden = true; $("login").hidden = false;
  $("message").hidden = !text; $("message").textContent = text || "";
}
function login(event) { return submitLogin(event, showLogin, start); }
async function start() {
  let response;
  try { response = await fetch("/api/me", { credentials: "same-origin" }); } catch { setTimeout(start, 5000); return; }
  if (!response.ok) { showLogin(); return; }
  $("login").hidden = true; $("board").hidden = false;
  connect();
}

$("login-form").addEventListener("submit", login);
setInterval(tickClock, 1000);
tickClock();
start();
