// 12345 热线 · 承办单位工单收件箱 (the handling unit's live inbox).
// Security: every value from the server is written with textContent (never as HTML), so a citizen's
// "<script>" stays text. No inline script or style, no eval: the page runs under the app's strict CSP.
"use strict";

// ---- Chinese labels: one table per vocabulary --------------------------------------------------
const LABELS = {
  status: {
    draft: "草稿", registered: "已受理", resolved_on_call: "直接办结", dispatched: "待签收",
    acknowledged: "已签收", in_progress: "办理中", returned: "已退单", replied: "已回单",
    callback_pending: "待回访", closed: "已办结",
  },
  action: {
    register: "受理", resolve_on_call: "直接办结", dispatch: "派单", acknowledge: "签收",
    start_handling: "开始办理", contribute: "协办意见", reply: "回单", return: "退单", reassign: "改派",
    reject_return: "退单驳回", request_extension: "申请延期", approve_extension: "延期批准",
    reject_extension: "延期驳回", schedule_callback: "安排回访", callback_satisfied: "回访满意", callback_basically_satisfied: "回访基本满意", survey_call: "自动回访外呼",
    callback_dissatisfied: "回访不满意", callback_unreachable: "回访未联系上", callback_given_up: "回访联系不上",
    reopen: "重办", supervise: "督办", review: "评单", assess: "考单",
  },
  urgency: { extra_urgent: "特急", urgent: "紧急", expedited: "急件", normal: "普通" },
  requestType: { consultation: "咨询", complaint: "投诉", request: "求助", enterprise_request: "企业诉求" },
  extension: { pending: "待审批", approved: "已批准", rejected: "已驳回", lapsed: "已失效" },
  returnOutcome: { pending: "待审核", reassigned: "已改派", rejected: "已驳回" },
  alert: { warning: "黄牌预警", overdue: "红牌超期", contact_overdue: "未按时联系市民" },
};
const label = (table, key) => (key === null || key === undefined ? "—" : LABELS[table][key] || String(key));

const CONCURRENT = "工单已被他人修改，请刷新";
const ERRORS = {
  concurrent_update: () => CONCURRENT,
  not_authenticated: () => "请先登录",
  invalid_credentials: () => "用户名或密码错误",
  invalid_input: (d) => (d.field === "login" || d.field === "password" ? "用户名或密码格式不正确" : "输入有误"),
  too_many_attempts: (d) => `尝试过于频繁，请 ${waitText(d.retry_after)}后再试`,
  login_locked: (d) => `该账号在本机连续输错密码次数过多，已暂时锁定，请 ${waitText(d.retry_after)}后再试（或请管理员解除）`,
  weak_password: (d) => `密码强度不够：${PASSWORD_REASONS[d.reason] || d.reason}`,
  wrong_password: () => "当前密码不正确",
  password_change_required: () => "请先修改密码",
  ticket_not_visible: () => "工单不存在或不属于本单位",
  not_found: () => "工单不存在或不属于本单位",
  role_forbidden: () => "当前账号无权进行此操作",
  not_lead_unit: () => "只有主办单位可以进行此操作",
  invalid_transition: () => "工单状态已变化，不能进行此操作",
  reason_required: () => "请填写原因",
  return_limit_reached: () => "退单次数已达上限，请联系热线督办",
  extension_limit_exceeded: (d) => `延期天数超过上限${d.limit ? `（最多 ${d.limit} 个工作日）` : ""}`,
  extension_pending: () => "已有延期申请待审批",
  attachment_too_large: (d) => `附件过大：每个文件不超过 ${mb(d.max_bytes)}`,
  attachment_type_refused: () => "只接受 JPEG、PNG、WebP 照片和 PDF 文件",
  too_many_attachments: (d) => `附件数量已达上限（每单最多 ${d.max_files} 个）`,
  attachment_quota_exceeded: (d) => `本工单附件总量已达上限（每单合计不超过 ${mb(d.max_order_bytes)}）`,
  invalid_text: () => "内容含有无法保存的字符，请删除后重试",
  attachments_closed: () => "工单已办结，不能再上传附件",
  cross_site_request: () => "请求来源无效，请刷新页面后重试",
  queue_unavailable: () => "服务暂不可用，请稍后再试",
};
const PASSWORD_REASONS = {
  too_short: "至少 10 位", too_long: "最多 256 位", contains_login: "不能包含账号名", common: "这是常见密码，很容易被猜中",
  repetitive: "不能是重复的字符或简单重复的组合", sequence: "不能是连续的字母、数字或键盘顺序",
  few_classes: "16 位以下的密码须包含大写字母、小写字母、数字、符号中的至少三类", same_as_current: "新密码不能与当前密码相同",
};
function waitText(seconds) { return seconds >= 90 ? `${Math.ceil(seconds / 60)} 分钟` : `${seconds || 60} 秒`; }
const MAX_UPLOAD_BYTES = 10 * 1024 * 1024; // the server's default; it checks again and says so
const ACCEPT = "image/jpeg,image/png,image/webp,application/pdf";
const HANDLING = ["dispatched", "acknowledged", "in_progress"];

const state = {
  me: null, orders: [], openId: null, open: null, files: [],
  controls: new Map(), // form controls of the open order, kept across live reloads (typed text survives)
  source: null, pending: new Set(), timer: null, busy: false,
};
const $ = (id) => document.getElementById(id);

// ---- small helpers ---------------------------------------------------------------------------------
function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}
function mb(bytes) { return bytes ? `${(bytes / 1024 / 1024).toFixed(bytes % (1024 * 1024) ? 1 : 0)} MB` : "限制"; }
function size(bytes) { return bytes < 1024 * 1024 ? `${Math.ceil(bytes / 1024)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`; }
function when(iso) {
  return iso ? new Date(iso).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false }) : "—";
}

/** 黄牌 once warn_at has passed, 红牌 once due_at has passed; the time left (or overdue) in words. */
function deadline(order, now = Date.now()) {
  if (!order.due_at) return { cls: "", text: "未定时限" };
  const due = Date.parse(order.due_at);
  const warn = order.warn_at ? Date.parse(order.warn_at) : Infinity;
  const left = due - now;
  const cls = left <= 0 ? "red" : now >= warn ? "yellow" : "";
  const text = left <= 0 ? `已超期 ${span(-left)}` : `剩余 ${span(left)}`;
  return { cls, text: order.deadline_provisional ? `${text}（时限暂定）` : text };
}
function span(ms) {
  const minutes = Math.floor(ms / 60000), days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) return `${days} 天 ${hours} 小时`;
  return hours > 0 ? `${hours} 小时 ${minutes % 60} 分` : `${minutes % 60} 分钟`;
}

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status; this.code = (body && body.code) || `http_${status}`; this.details = (body && body.details) || {};
  }
}
/** While a reload is due or a request is on its way the page says it is busy (aria-busy on <body>):
 * screen readers wait for the new content, and the browser tests wait for a settled page. */
let busyCount = 0;
function busy(delta) {
  busyCount += delta;
  if (busyCount > 0) document.body.setAttribute("aria-busy", "true"); else document.body.removeAttribute("aria-busy");
}
async function api(method, url, body) {
  busy(1);
  try { return await request(method, url, body); } finally { busy(-1); }
}
async function request(method, url, body) {
  const init = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) { init.body = JSON.stringify(body); init.headers["Content-Type"] = "application/json"; }
  let response;
  try { response = await fetch(url, init); } catch { throw new ApiError(0, { code: "offline", message: "网络连接失败" }); }
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}
function errorText(err) {
  if (!(err instanceof ApiError)) { console.error(err); return "页面出错，请刷新后重试"; }
  const known = ERRORS[err.code];
  if (known) return known(err.details || {});
  if (err.status === 0) return "网络连接失败，请检查网络";
  return err.status === 400 ? `输入有误：${err.message}` : `操作失败（${err.status}）：${err.message}`;
}
function flash(text, kind = "error") {
  const box = $("flash");
  box.textContent = text; box.className = `flash ${kind}`; box.hidden = false;
  clearTimeout(flash.timer);
  flash.timer = setTimeout(() => { box.hidden = true; }, kind === "error" ? 8000 : 3000);
}

// ---- login -----------------------------------------------------------------------------------------
function showLogin() {
  if (state.source) { state.source.close(); state.source = null; }
  state.me = null;
  $("app").hidden = true; $("logout").hidden = true; $("login").hidden = false; $("who").textContent = "";
  $("password").hidden = true; $("change-password").hidden = true;
  setLive(false);
}
async function login(event) {
  event.preventDefault();
  const fields = event.target.elements;
  const password = fields.namedItem("password");
  try {
    await api("POST", "/api/login", { login: fields.namedItem("login").value.trim(), password: password.value });
    password.value = "";
    await start();
  } catch (err) { flash(errorText(err)); }
}
async function logout() {
  try { await api("POST", "/api/logout", {}); } catch { /* the session ends anyway */ }
  showLogin();
}

// ---- list ------------------------------------------------------------------------------------------
async function loadList() {
  try {
    state.orders = (await api("GET", "/api/workorders/inbox?limit=200")).items;
    renderList();
  } catch (err) { handle(err); }
}
function renderList() {
  const list = $("orders");
  list.replaceChildren(...state.orders.map(card));
  $("empty").hidden = state.orders.length > 0;
  $("count").textContent = state.orders.length ? `（${state.orders.length}）` : "";
}
function card(order) {
  const limit = deadline(order);
  const item = el("li", null, `order ${limit.cls}`);
  const link = el("a", null, "order-link");
  link.href = `#/order/${encodeURIComponent(order.id)}`;
  const top = el("div", null, "order-top");
  top.append(el("span", `#${order.id}`, "order-id"), el("span", label("status", order.status), `chip status-${order.status}`));
  if (order.urgency && order.urgency !== "normal") top.append(el("span", label("urgency", order.urgency), "chip urgent"));
  if (order.extension_pending) top.append(el("span", "延期待批", "chip"));
  if (order.matter_id !== null && order.matter_id !== undefined) top.append(el("span", `并单 ${order.matter_id}`, "chip"));
  link.append(top, el("div", order.summary || "（无摘要）", "order-summary"));
  link.append(el("div", [order.category_name || order.category_code || "未分类", order.address || "地址未填"].join(" · "), "muted"));
  const due = el("div", null, `order-due ${limit.cls}`);
  if (limit.cls) due.append(el("span", limit.cls === "red" ? "红牌" : "黄牌", `card-tag ${limit.cls}`));
  due.append(el("span", `办理时限 ${when(order.due_at)} · ${limit.text}`));
  link.append(due);
  item.append(link);
  return item;
}

// ---- detail ----------------------------------------------------------------------------------------
async function openOrder(id) {
  if (state.openId !== id) state.controls = new Map();
  state.openId = id;
  $("list-view").classList.add("behind"); $("detail-view").hidden = false;
  await reloadOpen();
  window.scrollTo(0, 0);
}
function closeOrder() {
  state.openId = null; state.open = null; state.controls = new Map();
  $("detail-view").hidden = true; $("list-view").classList.remove("behind");
}
async function reloadOpen() {
  const id = state.openId;
  if (id === null) return;
  try {
    const [order, files] = await Promise.all([
      api("GET", `/api/workorders/${encodeURIComponent(id)}`),
      api("GET", `/api/workorders/${encodeURIComponent(id)}/attachments`),
    ]);
    if (state.openId !== id) return;
    state.open = order; state.files = files.items;
    renderDetail();
  } catch (err) {
    if (err.status === 404) { flash(errorText(err)); location.hash = ""; return; }
    handle(err);
  }
}
function renderDetail() {
  const o = state.open;
  const limit = deadline(o);
  const head = el("div", null, "detail-head");
  head.append(el("span", `工单 #${o.id}`, "order-id"), el("span", label("status", o.status), `chip status-${o.status}`));
  const rows = [
    ["诉求内容", o.request_text, "pre"],
    ["市民", o.citizen === null ? "保密工单" : [o.citizen.name || "（未留姓名）", o.citizen.phone].filter(Boolean).join(" ")],
    ["来电号码", o.caller_number || "—"],
    ["诉求分类", o.category_name || o.category_code || "未分类"],
    ["地址", o.address || "—"],
    ["紧急程度", label("urgency", o.urgency)],
    ["诉求类型", label("requestType", o.request_type)],
    ["主办单位", o.lead_unit || "—"],
    ["协办单位", (o.assisting_units || []).join("、") || "—"],
    ["派单时间", when(o.dispatched_at)],
    ["联系市民时限", when(o.contact_due_at)],
    ["黄牌预警", when(o.warn_at)],
    ["办理时限", `${when(o.due_at)}（${limit.text}）`, limit.cls],
  ];
  const list = el("dl", null, "facts");
  for (const [name, value, cls] of rows) list.append(el("dt", name), el("dd", value, cls || ""));
  const focused = document.activeElement; // a live reload must not take the keyboard away mid-sentence
  $("detail").replaceChildren(head, el("h2", o.summary || "（无摘要）", "detail-title"), list, historyOf(o));
  renderAttachments(); renderActions();
  if (focused && focused !== document.body && document.contains(focused)) focused.focus({ preventScroll: true });
}
function historyOf(o) {
  const box = el("div", null, "block");
  const section = (title, items, line) => {
    if (!items || !items.length) return;
    box.append(el("h3", title));
    const ul = el("ul", null, "history");
    for (const item of items) {
      const li = el("li");
      li.append(el("div", `${when(item.at)} · ${item.unit || item.by || ""}`, "muted"), el("div", line(item), "pre"));
      ul.append(li);
    }
    box.append(ul);
  };
  section("回单", o.replies, (r) => r.text);
  section("协办意见", o.contributions, (r) => r.text);
  section("退单", o.returns, (r) => `${r.reason}（${label("returnOutcome", r.outcome)}${r.reassigned_to ? `，改派至 ${r.reassigned_to}` : ""}）`);
  section("延期申请", o.extensions, (x) => `${x.working_days} 个工作日：${x.reason}（${label("extension", x.status)}${x.approved_days ? `，批准 ${x.approved_days} 天` : ""}）`);
  section("流转记录", o.trail, (t) => `${label("action", t.action)}：${label("status", t.from_status)} → ${label("status", t.to_status)}`);
  return box;
}

// ---- attachments -----------------------------------------------------------------------------------
function renderAttachments() {
  const box = $("attachments");
  box.replaceChildren(el("h3", `附件（${state.files.length}）`));
  const grid = el("div", null, "files");
  for (const f of state.files) {
    const link = el("a", null, "file");
    link.href = f.url; link.rel = "noopener";
    if (f.content_type.startsWith("image/")) {
      const img = el("img"); img.src = f.url; img.alt = f.filename; img.loading = "lazy"; link.append(img);
    } else link.append(el("span", "PDF", "file-kind"));
    link.append(el("span", `${f.filename}（${size(f.size)}）`, "file-name"));
    grid.append(link);
  }
  box.append(grid);
  if (state.open.status === "closed") return;
  const input = control("upload-files", () => fileInput());
  const button = el("button", "上传附件", "secondary");
  button.type = "button";
  button.addEventListener("click", async () => {
    if (!input.files.length) { flash("请先选择照片或 PDF 文件"); return; }
    if (await uploadFiles(input)) { flash("附件已上传", "ok"); await reloadOpen(); }
  });
  const row = el("div", null, "upload-row");
  row.append(input, button);
  box.append(row, el("p", "可上传 JPEG、PNG、WebP 照片和 PDF 文件，每个不超过 10 MB", "muted"));
}
function fileInput() {
  const input = el("input");
  input.type = "file"; input.accept = ACCEPT; input.multiple = true;
  return input;
}
async function uploadFiles(input) {
  const files = Array.from(input.files);
  const big = files.find((f) => f.size > MAX_UPLOAD_BYTES);
  if (big) { flash(`${big.name} 过大：每个文件不超过 ${mb(MAX_UPLOAD_BYTES)}`); return false; }
  const form = new FormData();
  for (const f of files) form.append("file", f, f.name);
  try {
    await api("POST", `/api/workorders/${encodeURIComponent(state.open.id)}/attachments`, form);
    input.value = "";
    return true;
  } catch (err) { handle(err); return false; }
}

// ---- actions ---------------------------------------------------------------------------------------
/** What this unit may do now: the lead unit (主办) moves the order, an assisting unit (协办) comments. */
function unitActions(o) {
  const me = state.me;
  if (!me || me.role !== "unit_staff" || !HANDLING.includes(o.status)) return [];
  if (o.lead_unit !== me.unit) return ["contribute"];
  const acts = { dispatched: ["acknowledge", "return"], acknowledged: ["start_handling", "return", "request_extension"],
    in_progress: ["reply", "request_extension"] }[o.status];
  return acts.filter((a) => a !== "request_extension" || !o.extension_pending);
}
const FORMS = {
  acknowledge: () => ({ fields: [], button: "签收" }),
  start_handling: () => ({ fields: [], button: "开始办理" }),
  reply: () => ({ fields: [textField("reply-text", "text", "办理结果（回单内容）", true), photoField(), matterNote(state.open)], button: "提交回单" }),
  return: () => ({ fields: [textField("return-reason", "reason", "退单原因（如：不属于本单位职责，请说明依据）", true)], button: "退单", confirm: "确定将工单退回热线？" }),
  request_extension: () => ({ fields: [daysField(), textField("ext-reason", "reason", "延期原因", true)], button: "申请延期" }),
  contribute: () => ({ fields: [textField("contribute-text", "text", "协办意见", true)], button: "提交协办意见" }),
};
function renderActions() {
  const box = $("actions");
  const acts = unitActions(state.open);
  box.replaceChildren();
  if (!acts.length) {
    if (state.me && state.me.role === "unit_staff") box.append(el("p", "当前状态下无需本单位操作", "muted"));
    return;
  }
  box.append(el("h3", "办理"));
  for (const action of acts) box.append(actionForm(action));
}
function actionForm(action) {
  const spec = FORMS[action]();
  const form = el("form", null, `action action-${action}`);
  form.append(el("h4", label("action", action)), ...spec.fields.map((f) => f.node));
  const submit = el("button", spec.button, action === "return" ? "danger" : "primary");
  submit.type = "submit";
  form.append(submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (state.busy || (spec.confirm && !window.confirm(spec.confirm))) return;
    const body = {};
    for (const f of spec.fields) if (f.name) body[f.name] = f.value();
    state.busy = true; submit.disabled = true;
    try { await perform(action, body, spec.fields); } finally { state.busy = false; submit.disabled = false; }
  });
  return form;
}
function control(key, make) {
  if (!state.controls.has(key)) state.controls.set(key, make());
  return state.controls.get(key);
}
function textField(key, name, placeholder, required) {
  const area = control(key, () => { const t = el("textarea"); t.rows = 4; t.maxLength = 4000; t.placeholder = placeholder; t.required = required; return t; });
  return { node: area, name, value: () => area.value.trim(), key };
}
function daysField() {
  const input = control("ext-days", () => { const i = el("input"); i.type = "number"; i.min = "1"; i.max = "10"; i.step = "1"; i.required = true; i.inputMode = "numeric"; return i; });
  const wrap = el("label", "延期工作日数", "inline");
  wrap.append(input);
  return { node: wrap, name: "working_days", value: () => Number.parseInt(input.value, 10), key: "ext-days" };
}
function photoField() {
  const input = control("reply-photos", () => fileInput());
  const wrap = el("label", "现场照片（可选，先上传再回单）", "inline");
  wrap.append(input);
  return { node: wrap, name: null, input, key: "reply-photos" };
}
/** 并单: one reply answers every order of the matter this unit handles; say how many before it is sent. */
function matterNote(o) {
  const note = el("p", "", "muted");
  note.hidden = true;
  if (o.matter_id !== null && o.matter_id !== undefined) {
    api("GET", `/api/workorders/${encodeURIComponent(o.id)}/matter/reply`).then((preview) => {
      if (state.openId !== o.id || preview.done.length < 2) return;
      note.textContent = `答复将同时办结并单中的 ${preview.done.length} 件工单`;
      note.hidden = false;
    }).catch(() => {}); // the note is a courtesy: the reply itself reports what it concluded
  }
  return { node: note, name: null, key: "matter-note" };
}
function replied(result) {
  const m = result.matter_reply;
  if (!m || m.done.length < 2) return "已回单";
  const left = m.refused.length ? `；${m.refused.length} 件未能同时办结（请逐件查看）` : "";
  return `已回单，并单中的 ${m.done.length} 件工单同时办结${left}`;
}
async function perform(action, body, fields) {
  const photos = fields.find((f) => f.input && f.input.files.length);
  if (photos && !(await uploadFiles(photos.input))) return;
  try {
    const o = state.open;
    const updated = await api("POST", `/api/workorders/${encodeURIComponent(o.id)}/actions/${action}`, { version: o.version, ...body });
    for (const f of fields) state.controls.delete(f.key);
    state.open = updated;
    flash(action === "reply" ? replied(updated) : `已${label("action", action)}`, "ok");
    await reloadOpen(); loadList();
  } catch (err) { handle(err); }
}

/** One place for errors: 401 → login, 409 → say so and reload, anything else → the message. */
function handle(err) {
  if (err.status === 401) { showLogin(); flash(errorText(err)); return; }
  flash(errorText(err));
  if (err.status === 409) { reloadOpen(); loadList(); }
}

// ---- 修改密码 (the member's own password) ------------------------------------------------------------
function showPassword(forced) {
  $("password-form").reset();
  $("password-forced").hidden = !forced; $("password-cancel").hidden = forced;
  $("password").hidden = false; $("app").hidden = true;
}
function hidePassword() { $("password").hidden = true; $("app").hidden = false; }
async function changePassword(event) {
  event.preventDefault();
  const fields = event.target.elements;
  const current = fields.namedItem("current").value, fresh = fields.namedItem("new").value;
  if (fresh !== fields.namedItem("repeat").value) { flash("两次输入的新密码不一致"); return; }
  try { await api("POST", "/api/me/password", { current, new: fresh }); } catch (err) { handle(err); return; }
  event.target.reset();
  flash("密码已修改；其他设备上的登录已失效", "ok");
  if (state.me && state.me.must_change_password) { await start(); return; }
  hidePassword();
}

// ---- live updates ----------------------------------------------------------------------------------
function setLive(on) { const b = $("live"); b.textContent = on ? "实时" : "离线"; b.className = `live ${on ? "on" : "off"}`; }
function connectLive() {
  if (state.source) state.source.close();
  const source = new EventSource("/api/inbox/events");
  state.source = source;
  source.addEventListener("ready", () => { setLive(true); reloadSoon(null); }); // (re)connected: catch up
  source.addEventListener("ticket", (event) => {
    let notice;
    try { notice = JSON.parse(event.data); } catch { return; }
    reloadSoon(notice.ticket_id);
  });
  source.addEventListener("error", () => {
    setLive(false);
    if (source.readyState === EventSource.CLOSED) setTimeout(retryLive, 5000); // refused (401/503): not retried by the browser
  });
}
async function retryLive() {
  if (!state.me) return;
  try { await api("GET", "/api/me"); connectLive(); } catch (err) {
    if (err.status === 401) showLogin(); else setTimeout(retryLive, 10000);
  }
}
/** Several notices in a burst → one reload of the list, and of the open order if it is among them. */
function reloadSoon(ticketId) {
  if (state.pending.size === 0) busy(1); // a reload is due
  state.pending.add(ticketId);
  clearTimeout(state.timer);
  state.timer = setTimeout(() => {
    const ids = state.pending; state.pending = new Set();
    loadList();
    if (state.openId !== null && (ids.has(null) || ids.has(state.openId))) reloadOpen();
    busy(-1); // the requests just started keep the page busy until they are answered
  }, 300);
}

// ---- start -----------------------------------------------------------------------------------------
function route() {
  const match = /^#\/order\/(\d+)$/.exec(location.hash);
  if (match) openOrder(Number(match[1])); else closeOrder();
}
async function start() {
  try { state.me = await api("GET", "/api/me"); } catch (err) {
    if (err.status === 401) { showLogin(); return; }
    flash(errorText(err)); return;
  }
  const unit = state.me.unit ? ` · ${state.me.unit}` : "";
  $("who").textContent = `${state.me.display_name}${unit}`;
  $("login").hidden = true; $("logout").hidden = false; $("change-password").hidden = false;
  if (state.me.must_change_password) { showPassword(true); return; }
  $("password").hidden = true; $("app").hidden = false;
  await loadList();
  connectLive();
  route();
}

$("login-form").addEventListener("submit", login);
$("logout").addEventListener("click", logout);
$("change-password").addEventListener("click", () => showPassword(Boolean(state.me && state.me.must_change_password)));
$("password-cancel").addEventListener("click", hidePassword);
$("password-form").addEventListener("submit", changePassword);
$("reload").addEventListener("click", () => { loadList(); reloadOpen(); });
$("back").addEventListener("click", () => { location.hash = ""; });
window.addEventListener("hashchange", route);
document.addEventListener("visibilitychange", () => { if (!document.hidden && state.me) reloadSoon(null); });
setInterval(() => { if (state.me) { renderList(); if (state.open) renderDetail(); } }, 60000); // 剩余时间 ticks on
start();
