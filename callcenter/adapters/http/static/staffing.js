// 12345 热线 · 人员排班测算 (staffing): the form is sent to POST /api/staffing and the plan shown as a table.
// Security: every value is written with textContent (never as HTML); no inline script or style, no eval:
// the page runs under the app's strict CSP.
"use strict";

const PLANNERS = ["supervisor", "admin"];
const FIELDS = {
  calls_per_hour: "每小时来电量", forecast: "来电预测", hour: "时段", aht_s: "平均处理时长",
  patience_s: "平均等待耐心", target: "服务水平目标", threshold_s: "接通时限", max_occupancy: "坐席占用率上限",
};
const $ = (id) => document.getElementById(id);

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}
function say(text) { $("message").hidden = !text; $("message").textContent = text || ""; }
function pct(value) { return value === null || value === undefined ? "—" : `${(value * 100).toFixed(1)}%`; }
function secs(value) { return value === null || value === undefined ? "—" : value.toFixed(1); }
function hourText(hour) { return hour === null ? "—" : `${String(hour).padStart(2, "0")}:00–${String(hour + 1).padStart(2, "0")}:00`; }

/** A number from an input; "" stays null (an optional field), anything unreadable is sent as text so the
 * server names the field. */
function numberOf(input) {
  const text = input.value.trim();
  if (text === "") return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : text;
}
function percentOf(input) {
  const value = numberOf(input);
  return typeof value === "number" ? value / 100 : value;
}

function hourInputs() {
  const box = $("day");
  for (let hour = 0; hour < 24; hour += 1) {
    const label = el("label", null, "field");
    const input = document.createElement("input");
    input.type = "number"; input.min = "0"; input.step = "any"; input.name = `h${hour}`;
    label.append(el("span", `${String(hour).padStart(2, "0")} 时`), input);
    box.append(label);
  }
}

function body() {
  const form = $("inputs").elements;
  const request = {
    aht_s: numberOf(form.namedItem("aht_s")),
    target: percentOf(form.namedItem("target")),
    threshold_s: numberOf(form.namedItem("threshold_s")),
  };
  const patience = numberOf(form.namedItem("patience_s"));
  if (patience !== null) request.patience_s = patience;
  const occupancy = percentOf(form.namedItem("max_occupancy"));
  if (occupancy !== null) request.max_occupancy = occupancy;
  if (form.namedItem("mode").value === "day") {
    request.forecast = Array.from({ length: 24 }, (_, hour) => numberOf(form.namedItem(`h${hour}`)));
  } else {
    request.calls_per_hour = numberOf(form.namedItem("calls_per_hour"));
  }
  return request;
}

function row(hour) {
  const c = hour.erlang_c;
  const a = hour.erlang_a;
  const tr = el("tr");
  tr.append(el("td", hourText(hour.hour)), el("td", hour.calls), el("td", c.load_erlangs.toFixed(2)),
    el("td", c.agents), el("td", pct(c.service_level)), el("td", secs(c.asa_s)), el("td", pct(c.occupancy)));
  if (a) {
    tr.append(el("td", a.agents), el("td", pct(a.service_level)), el("td", secs(a.asa_s)),
      el("td", pct(a.abandon_rate)), el("td", pct(a.occupancy)));
  } else {
    for (let i = 0; i < 5; i += 1) tr.append(el("td", "—"));
  }
  return tr;
}

function show(plan) {
  const target = plan.target;
  const cap = target.max_occupancy === null ? "" : `，占用率不超过 ${pct(target.max_occupancy)}`;
  $("summary").textContent = `目标：${pct(target.service_level)} 的来电在 ${target.threshold_s} 秒内接通${cap}`;
  $("rows").replaceChildren(...plan.hours.map(row));
  const foot = el("tr");
  const totals = plan.agent_hours;
  foot.append(el("td", "合计（坐席·小时）"), el("td", plan.hours.reduce((sum, h) => sum + h.calls, 0)), el("td", ""),
    el("td", totals.erlang_c), el("td", ""), el("td", ""), el("td", ""),
    el("td", totals.erlang_a === null ? "—" : totals.erlang_a), el("td", ""), el("td", ""), el("td", ""), el("td", ""));
  $("totals").replaceChildren(plan.hours.length > 1 ? foot : "");
  $("result").hidden = false;
}

async function calculate(event) {
  event.preventDefault();
  let response;
  try {
    response = await fetch("/api/staffing", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify(body()),
    });
  } catch { say("网络连接失败"); return; }
  let data = null;
  try { data = await response.json(); } catch { /* not JSON */ }
  if (response.status === 401) { showLogin(); return; }
  if (response.status === 403) { showLogin("当前账号无权使用排班测算（限班长、管理员）"); return; }
  if (!response.ok) { say(problem(data, response.status)); return; }
  say("");
  show(data);
}

function problem(data, status) {
  if (!data) return `测算失败（${status}）`;
  const field = data.details && data.details.field ? `【${FIELDS[data.details.field] || data.details.field}】` : "";
  if (data.code === "staffing_unreachable") return "在坐席数上限内无法达到该目标，请降低目标或核对输入。";
  if (data.code === "staffing_invalid") return `输入有误${field}：${data.message}`;
  return `测算失败（${status}）：${data.message || data.code}`;
}

function switchMode() {
  const day = $("inputs").elements.namedItem("mode").value === "day";
  $("day").hidden = !day; $("single").hidden = day;
}

function showLogin(text) {
  $("planner").hidden = true; $("login").hidden = false;
  say(text);
}
function login(event) { return submitLogin(event, showLogin, start); }
async function start() {
  let response;
  try { response = await fetch("/api/me", { credentials: "same-origin" }); } catch { setTimeout(start, 5000); return; }
  if (!response.ok) { showLogin(); return; }
  const me = await response.json();
  $("who").textContent = me.display_name || me.id || "";
  if (!PLANNERS.includes(me.role)) { showLogin("当前账号无权使用排班测算（限班长、管理员）"); return; }
  $("login").hidden = true; $("planner").hidden = false; say("");
}

hourInputs();
$("login-form").addEventListener("submit", login);
$("inputs").addEventListener("submit", calculate);
$("inputs").addEventListener("change", (event) => { if (event.target.name === "mode") switchMode(); });
$("print").addEventListener("click", () => window.print());
start();
