// 12345 hotline staff desk (坐席工作台): login, the tabs of the user's role, live refresh.
// Every value from the server is written with textContent or .value (desk/dom.js), never as markup,
// so a citizen's words containing <script> stay plain text. No inline script or style: strict CSP.

import { api, errorText, onUnauthorized } from "./desk/api.js";
import { adminView } from "./desk/admin.js";
import { followupView } from "./desk/followup.js";
import { callsView } from "./desk/calls.js";
import { loadCatalogue } from "./desk/catalogue.js";
import { debounce, h } from "./desk/dom.js";
import { dispatchView } from "./desk/dispatch.js";
import { intakeView } from "./desk/intake.js";
import { knowledgeView } from "./desk/knowledge.js";
import { label } from "./desk/labels.js";
import { searchView } from "./desk/search.js";
import { seatBar } from "./desk/seat.js";
import { superviseView } from "./desk/supervise.js";

const TABS = [
  { key: "intake", title: "受理", roles: ["agent", "admin"], make: intakeView },
  { key: "dispatch", title: "派单", roles: ["dispatcher", "admin"], make: dispatchView },
  { key: "supervise", title: "督办", roles: ["supervisor", "admin"], make: superviseView },
  { key: "followup", title: "回访", roles: ["agent", "supervisor", "admin"], make: followupView },
  { key: "search", title: "工单查询", roles: ["agent", "dispatcher", "supervisor", "admin"], make: searchView },
  { key: "knowledge", title: "知识库", roles: ["agent", "dispatcher", "supervisor", "admin"], make: knowledgeView },
  { key: "calls", title: "通话", roles: ["supervisor", "admin"], make: callsView },
  { key: "admin", title: "管理", roles: ["admin"], make: adminView },
];
/** Pages of their own, opened from the tab bar: the wall screen, the missed-call list, staffing. */
const PAGES = [
  { href: "/wallboard", title: "实时大屏", roles: ["agent", "dispatcher", "supervisor", "admin"] },
  { href: "/missed-calls", title: "漏接回拨", roles: ["agent", "supervisor", "admin"] },
  { href: "/staffing", title: "排班测算", roles: ["supervisor", "admin"] },
];
const UNIT_INBOX = "/static/inbox.html";
const POLL_MS = 60000;
const LOGIN_SHAPE = "账号或密码格式不正确：账号为 2–64 位小写字母、数字或 . _ -，密码最多 256 位";

const $ = (selector) => document.querySelector(selector);
const desk = { me: null, views: new Map(), active: null, events: null, poll: null, seat: null };

function showLogin(message) {
  closeLive();
  closeSeat();
  desk.me = null;
  desk.views.clear();
  $("#tabs").hidden = true;
  $("#views").replaceChildren();
  $("#who").textContent = "";
  $("#logout").hidden = true;
  $("#change-password").hidden = true;
  $("#password").hidden = true;
  $("#login").hidden = false;
  const msg = $("#login-message");
  msg.textContent = message || "";
  msg.hidden = !message;
  $("#login-name").focus();
}

async function login(event) {
  event.preventDefault();
  const msg = $("#login-message");
  try {
    await api("POST", "/api/login", { login: $("#login-name").value.trim(), password: $("#login-password").value });
    $("#login-password").value = "";
    await boot();
  } catch (error) {
    msg.textContent = error.code === "invalid_input" ? LOGIN_SHAPE : errorText(error);
    msg.hidden = false;
  }
}

/** 修改密码: the member's own change; `forced` when the password must change before anything else. */
function showPassword(forced) {
  for (const id of ["#password-current", "#password-new", "#password-repeat"]) $(id).value = "";
  $("#password-message").hidden = true;
  $("#password-forced").hidden = !forced;
  $("#password-cancel").hidden = forced;
  $("#password").hidden = false;
  $("#views").hidden = true;
  $("#password-current").focus();
}

function hidePassword() {
  $("#password").hidden = true;
  $("#views").hidden = false;
}

function passwordMessage(text, kind) {
  const msg = $("#password-message");
  msg.textContent = text;
  msg.className = `message ${kind}`;
  msg.hidden = false;
}

async function changePassword(event) {
  event.preventDefault();
  const current = $("#password-current").value;
  const fresh = $("#password-new").value;
  if (fresh !== $("#password-repeat").value) return passwordMessage("两次输入的新密码不一致", "error");
  try {
    await api("POST", "/api/me/password", { current, new: fresh });
  } catch (error) {
    return passwordMessage(errorText(error), "error");
  }
  for (const id of ["#password-current", "#password-new", "#password-repeat"]) $(id).value = "";
  if (desk.me && desk.me.must_change_password) return boot();
  return passwordMessage("密码已修改；您在其他电脑上的登录已失效", "ok");
}

async function logout() {
  try { await api("POST", "/api/logout", {}); } catch (_error) { /* the session is gone either way */ }
  showLogin("已退出登录");
}

function tabsFor(role) {
  return TABS.filter((tab) => tab.roles.includes(role));
}

function view(tab) {
  if (!desk.views.has(tab.key)) {
    const made = tab.make(desk.me);
    made.root.dataset.view = tab.key;
    desk.views.set(tab.key, made);
    $("#views").append(made.root);
  }
  return desk.views.get(tab.key);
}

/** Show tab `key` ("search?matter=3", "order/12" too); the hash keeps the place across reloads. */
function go(hash) {
  const [path, search] = (hash || "").replace(/^#/, "").split("?");
  const [key, id] = path.split("/");
  const tabs = tabsFor(desk.me.role);
  const tab = key === "order" ? tabs.find((t) => t.key === "search") : tabs.find((t) => t.key === key) || tabs[0];
  if (!tab) return;
  desk.active = tab.key;
  for (const button of document.querySelectorAll("#tabs button")) button.classList.toggle("active", button.dataset.key === tab.key);
  for (const [k, v] of desk.views) v.root.hidden = k !== tab.key;
  const current = view(tab);
  current.root.hidden = false;
  const params = Object.fromEntries(new URLSearchParams(search || ""));
  if (key === "order" && id) params.id = id;
  if (current.route && (params.id || params.matter)) current.route(params);
  current.refresh();
}

function renderTabs() {
  const nav = $("#tabs");
  nav.replaceChildren(...tabsFor(desk.me.role).map((tab) => h("button", {
    type: "button", text: tab.title, data: { key: tab.key }, on: { click: () => { location.hash = tab.key; } },
  })), ...PAGES.filter((page) => page.roles.includes(desk.me.role)).map((page) => h("a", {
    class: "page-link", href: page.href, target: "_blank", rel: "noopener", text: page.title,
  })));
  nav.hidden = false;
}

const refreshActive = debounce(() => {
  const current = desk.active && desk.views.get(desk.active);
  if (current) current.refresh();
}, 500);

/** Live refresh from the inbox's event stream; polling when there is none. */
function openLive() {
  closeLive();
  desk.poll = setInterval(refreshActive, POLL_MS);
  if (!window.EventSource) return;
  const events = new EventSource("/api/inbox/events");
  events.addEventListener("ticket", refreshActive);
  events.addEventListener("error", () => { if (events.readyState === EventSource.CLOSED) desk.events = null; });
  desk.events = events;
}

function closeLive() {
  if (desk.events) desk.events.close();
  clearInterval(desk.poll);
  desk.events = null;
}

/** The seat bar (签入/示忙/示闲/签出) for staff who take calls. */
function openSeat(me) {
  closeSeat();
  desk.seat = seatBar(me);
  $("#seat").replaceChildren(desk.seat.root);
}

function closeSeat() {
  if (desk.seat) desk.seat.stop();
  desk.seat = null;
  $("#seat").replaceChildren();
}

async function health() {
  try {
    const status = await fetch("/api/health", { headers: { Accept: "application/json" } }).then((r) => r.json());
    $("#health").textContent = status.ok ? "系统正常" : "部分服务不可用";
  } catch (_error) {
    $("#health").textContent = "无法连接服务器";
  }
}

async function boot() {
  let me;
  try {
    me = await api("GET", "/api/me");
  } catch (error) {
    if (error.status === 401) return showLogin("");
    return showLogin(errorText(error));
  }
  if (me.role === "unit_staff") {
    location.replace(UNIT_INBOX);
    return undefined;
  }
  desk.me = me;
  $("#login").hidden = true;
  $("#who").textContent = `${me.display_name}（${label("role", me.role)}）`;
  $("#logout").hidden = false;
  $("#change-password").hidden = false;
  if (me.must_change_password) {
    $("#tabs").hidden = true;
    showPassword(true);
    return undefined;
  }
  hidePassword();
  await loadCatalogue();
  renderTabs();
  openSeat(me);
  go(location.hash);
  openLive();
  return undefined;
}

onUnauthorized(() => showLogin("登录已过期，请重新登录"));
$("#login-form").addEventListener("submit", login);
$("#logout").addEventListener("click", logout);
$("#change-password").addEventListener("click", () => showPassword(Boolean(desk.me && desk.me.must_change_password)));
$("#password-form").addEventListener("submit", changePassword);
$("#password-cancel").addEventListener("click", hidePassword);
window.addEventListener("hashchange", () => { if (desk.me) go(location.hash); });
document.addEventListener("desk:open-order", (event) => { location.hash = `order/${event.detail}`; });
health();
boot();
