// 管理 (admin): staff accounts (list, create, reset password, 停用/启用), login security (counters, locks),
// the seat phones' SIP secrets (rotate, shown once), the work calendar's overrides and the dispatch
// catalogue's rules (派单目录: set, delete).

import { api, errorText, query, waitText } from "./api.js";
import { categoryInput, categoryLabel, loadCatalogue, unitIdsOf, unitInput, unitLabel } from "./catalogue.js";
import { codeOf, empty, field, h, select, table } from "./dom.js";
import { label, options } from "./labels.js";
import { actionForm, button, submit } from "./order.js";

const PASSWORD_HINT = "至少 10 位，三类字符或 16 位以上，不含账号名";

/** "下次登录须修改密码": on by default, so that only the member knows their password. */
function mustChangeBox() {
  return h("input", { type: "checkbox", name: "must_change_password", checked: true });
}

function passwordForm(member, done) {
  const password = h("input", { type: "password", name: "password", autocomplete: "new-password", placeholder: PASSWORD_HINT });
  const mustChange = mustChangeBox();
  const { form, msg } = actionForm(null, [password, field("须改密", mustChange)], [button("重置密码", () => {
    if (!password.value) return msg.show("请输入新密码", "error");
    const body = { password: password.value, must_change_password: mustChange.checked };
    return submit(msg, null, () => api("POST", `/api/admin/staff/${encodeURIComponent(member.id)}/password`, body),
      (_ok, note) => { password.value = ""; msg.show(`${member.display_name} 的密码已重置，原有登录已失效`, note.kind); done(); });
  }, "small")], "inline");
  return form;
}

/** 停用/启用: a disabled account is logged out at once and cannot log in; one's own account stays. */
function activeForm(member, me, done) {
  if (member.id === me.id) return h("span", { class: "muted", text: "当前账号" });
  const { form, msg } = actionForm(null, [], [button(member.active ? "停用" : "启用", () => submit(msg, null,
    () => api("PUT", `/api/admin/staff/${encodeURIComponent(member.id)}/active`, { active: !member.active }),
    () => done()), "small")], "inline");
  return form;
}

function accountState(member) {
  if (!member.active) return "已停用";
  return member.must_change_password ? "启用（待改密）" : "启用";
}

function createForm(done) {
  const id = h("input", { name: "id", placeholder: "登录名（小写字母、数字、. _ -）", autocomplete: "off" });
  const name = h("input", { name: "display_name", placeholder: "姓名或单位名" });
  const role = select("role", options("role"), "agent");
  const unit = unitInput("unit", "");
  const password = h("input", { type: "password", name: "password", autocomplete: "new-password", placeholder: PASSWORD_HINT });
  const mustChange = mustChangeBox();
  const { form, msg } = actionForm("新建账号", [field("登录名", id), field("显示名", name), field("角色", role),
    field("所属单位（仅承办单位人员）", unit), field("初始密码", password), field("首次登录须修改密码", mustChange)], [button("创建账号", () => {
    const body = { id: id.value.trim(), display_name: name.value, role: role.value, unit: codeOf(unit), password: password.value,
      must_change_password: mustChange.checked };
    return submit(msg, null, () => api("POST", "/api/admin/staff", body), (created) => {
      msg.show(`已创建账号 ${created.id}`, "ok");
      id.value = ""; name.value = ""; password.value = ""; unit.value = "";
      done();
    });
  }, "primary")]);
  return form;
}

function seatRow(seat, done) {
  const { form, msg } = actionForm(null, [], [button("更换密码", () => {
    return submit(msg, null, () => api("POST", `/api/admin/seats/${encodeURIComponent(seat.seat)}/secret`), (rotated) => {
      msg.show(`${rotated.seat} 的新密码：${rotated.secret}（只显示这一次，请立即配置到该坐席话机；旧密码已失效）`, "ok");
      done();
    });
  }, "small")], "inline");
  const when = seat.rotated_at ? `${seat.rotated_at.slice(0, 16).replace("T", " ")}（${seat.rotated_by || ""}）` : "首次启动时生成";
  return h("tr", null, h("td", { text: seat.seat }), h("td", { text: when }), h("td", null, form));
}

function calendarForm(done) {
  const day = h("input", { type: "date", name: "day" });
  const kind = select("workday", [["false", "休息日（如台风停工、节假日）"], ["true", "工作日（调休上班）"]], "false");
  const note = h("input", { name: "note", placeholder: "说明" });
  const { form, msg } = actionForm("设置日历例外", [field("日期", day), field("类型", kind), field("说明", note, "wide")], [
    button("保存", () => {
      if (!day.value) return msg.show("请选择日期", "error");
      return submit(msg, null, () => api("PUT", `/api/admin/calendar/${day.value}`, { workday: kind.value === "true", note: note.value }),
        () => { msg.show(`${day.value} 已设置，之后计算的时限按新日历`, "ok"); done(); });
    }, "primary"),
  ]);
  return form;
}

function ruleForm(done) {
  const category = categoryInput("category_code", "");
  const area = h("input", { name: "area_code", placeholder: "区划代码，如 110101001000（街道）或 110100000000（全市）", autocomplete: "off" });
  const lead = unitInput("lead_unit", "");
  const assisting = h("input", { name: "assisting_units", placeholder: "协办单位代码，逗号分隔（可空）", autocomplete: "off" });
  const note = h("input", { name: "note", placeholder: "说明" });
  const { form, msg } = actionForm("派单目录：设置规则", [field("诉求分类", category), field("区域", area),
    field("主办单位", lead), field("协办单位", assisting), field("说明", note, "wide")], [button("保存规则", () => {
    const body = { category_code: codeOf(category), area_code: area.value.trim(), lead_unit: codeOf(lead),
      assisting_units: unitIdsOf(assisting.value), note: note.value };
    return submit(msg, null, () => api("PUT", "/api/admin/dispatch-rules", body), () => {
      msg.show("规则已保存，之后的受理按新规则派单", "ok");
      loadCatalogue().then(done, done);
    });
  }, "primary")]);
  return form;
}

function ruleRow(rule, done) {
  const { form, msg } = actionForm(null, [], [button("删除", () => submit(msg, null,
    () => api("DELETE", `/api/admin/dispatch-rules?${query({ category: rule.category_code, area: rule.area_code })}`),
    () => done()), "small")], "inline");
  const assisting = rule.assisting_units.map(unitLabel).join("、") || "—";
  return h("tr", null, h("td", { text: categoryLabel(rule.category_code) }), h("td", { text: rule.area_code }),
    h("td", { text: unitLabel(rule.lead_unit) }), h("td", { text: assisting }), h("td", { text: rule.note || "" }),
    h("td", null, form));
}

/** 登录安全: this server process's counters since start-up and the logins locked now. */
function securitySection(data, done) {
  const counts = data.since_start;
  const summary = `自启动以来：登录成功 ${counts.succeeded} 次，密码错误 ${counts.failed} 次，锁定 ${counts.lockouts} 次，` +
    `锁定期间被拒 ${counts.refused_locked} 次，频率超限被拒 ${counts.rate_limited} 次；正在计算密码 ${data.hashing.busy} 个，排队 ${data.hashing.waiting} 个。`;
  const rows = data.locks.map((lock) => {
    const { form, msg } = actionForm(null, [], [button("解除锁定", () => submit(msg, null,
      () => api("DELETE", `/api/admin/security/locks/${encodeURIComponent(lock.login)}`), () => done()), "small")], "inline");
    return h("tr", null, h("td", { text: lock.login }), h("td", { text: lock.source }),
      h("td", { text: waitText(lock.seconds_left) }), h("td", null, form));
  });
  return [h("h3", { text: `登录安全（锁定中 ${data.locked_now}）` }), h("p", { class: "muted", text: summary }),
    rows.length ? table(["账号", "来源（已脱敏）", "剩余时间", "操作"], rows) : empty("当前没有被锁定的登录")];
}

export function adminView(me) {
  const staff = h("section");
  const security = h("section");
  const seats = h("section");
  const calendar = h("section");
  const rules = h("section");
  const root = h("div", { class: "admin" }, h("div", { class: "admin-col" }, createForm(() => refresh()), staff, security, seats),
    h("div", { class: "admin-col" }, calendarForm(() => refresh()), calendar),
    h("div", { class: "admin-col wide" }, ruleForm(() => refresh()), rules));

  async function loadStaff() {
    const data = await api("GET", "/api/admin/staff");
    staff.replaceChildren(h("h3", { text: `账号（${data.items.length}）` }), table(["登录名", "显示名", "角色", "单位", "状态", "停用/启用", "重置密码"],
      data.items.map((m) => h("tr", null, h("td", { text: m.id }), h("td", { text: m.display_name }),
        h("td", { text: label("role", m.role) }), h("td", { text: m.unit ? unitLabel(m.unit) : "—" }),
        h("td", { text: accountState(m) }), h("td", null, activeForm(m, me, () => refresh())),
        h("td", null, passwordForm(m, () => refresh()))))));
  }
  async function loadSecurity() {
    security.replaceChildren(...securitySection(await api("GET", "/api/admin/security"), () => refresh()));
  }
  async function loadSeats() {
    const data = await api("GET", "/api/admin/seats");
    // Rows are rebuilt only on load, so a new secret shown in its row stays until the next refresh.
    seats.replaceChildren(h("h3", { text: `坐席话机 SIP 密码（${data.items.length}）` }),
      table(["坐席", "最近更换", "操作"], data.items.map((s) => seatRow(s, () => {}))));
  }
  async function loadCalendar() {
    const data = await api("GET", "/api/admin/calendar");
    const rows = data.items.map((d) => {
      const { form, msg } = actionForm(null, [], [button("删除", () => submit(msg, null,
        () => api("DELETE", `/api/admin/calendar/${d.day}`), () => refresh()), "small")], "inline");
      return h("tr", null, h("td", { text: d.day }), h("td", { text: d.workday ? "工作日" : "休息日" }),
        h("td", { text: d.note || "" }), h("td", null, form));
    });
    calendar.replaceChildren(h("h3", { text: "日历例外" }), rows.length ? table(["日期", "类型", "说明", "操作"], rows) : empty("无例外，按法定节假日和调休计算"));
  }
  async function loadRules() {
    const data = await api("GET", "/api/admin/dispatch-rules");
    rules.replaceChildren(h("h3", { text: `派单目录（${data.items.length} 条规则）` }),
      table(["诉求分类", "区域", "主办", "协办", "说明", "操作"], data.items.map((r) => ruleRow(r, () => refresh()))));
  }
  async function refresh() {
    await Promise.all([loadStaff().catch((e) => staff.replaceChildren(empty(errorText(e)))),
      loadSecurity().catch((e) => security.replaceChildren(empty(errorText(e)))),
      loadSeats().catch((e) => seats.replaceChildren(empty(errorText(e)))),
      loadCalendar().catch((e) => calendar.replaceChildren(empty(errorText(e)))),
      loadRules().catch((e) => rules.replaceChildren(empty(errorText(e))))]);
  }
  return { root, refresh };
}
