// 受理 (agent): drafts from calls with their transcript and replay, the registration form with the live
// 一单通达 suggestion, 仅受理 to the dispatcher's queue, 直接办结, and a new order typed in by hand.

import { api, errorText, query } from "./api.js";
import { categoryInput, categoryOf, suggest, unitIdsOf, unitInput, unitLabel } from "./catalogue.js";
import { transcriptView } from "./calls.js";
import { codeOf, debounce, empty, field, fill, h, select } from "./dom.js";
import { label, options } from "./labels.js";
import { dispatchForm, showSuggestion } from "./dispatch.js";
import { knowledgeList } from "./knowledge.js";
import { act, actionForm, button, loadOrder, orderFacts, orderHeader, orderList, requestText, submit } from "./order.js";

/** The registration fields; `read()` gives the JSON body of register / create (without dispatch). */
function registrationFields(order) {
  const citizen = (order && order.citizen) || {};
  const f = {
    request_text: h("textarea", { name: "request_text", rows: 5, required: true, value: (order && order.request_text) || "" }),
    summary: h("input", { name: "summary", maxLength: 200, value: (order && order.summary) || "", placeholder: "留空则由诉求内容自动生成" }),
    name: h("input", { name: "citizen_name", maxLength: 64, value: citizen.name || "" }),
    phone: h("input", { name: "citizen_phone", maxLength: 32, value: citizen.phone || (order && order.caller_number) || "" }),
    confidential: h("input", { type: "checkbox", name: "confidential", checked: Boolean(order && order.confidential) }),
    unit_summary: h("textarea", { name: "unit_summary", rows: 2, maxLength: 1000, value: (order && order.unit_summary) || "",
      placeholder: "承办单位只看到这段文字：写清事项和地点，不写举报人的姓名、电话、住址；留空则看到自动隐去举报人信息后的诉求内容" }),
    category: categoryInput("category", order && order.category_code),
    address: h("input", { name: "address", value: (order && order.address) || "", placeholder: "区 + 街道/路 + 门牌或小区" }),
    urgency: select("urgency", options("urgency"), (order && order.urgency) || "normal"),
    request_type: select("request_type", options("request_type"), (order && order.request_type) || "", "（未定）"),
    area: "",
  };
  f.read = () => ({
    request_text: f.request_text.value,
    summary: f.summary.value,
    citizen: { name: f.name.value, phone: f.phone.value },
    confidential: f.confidential.checked,
    unit_summary: f.confidential.checked ? f.unit_summary.value : "",
    category_code: codeOf(f.category),
    area_code: f.area,
    address: f.address.value,
    urgency: f.urgency.value,
    request_type: f.request_type.value,
  });
  return f;
}

/** What the caller's words suggest for a draft (草稿建议): shown, and applied only when the agent says so. */
function draftCues(order, f) {
  const s = order && order.suggestions;
  if (!s) return null;
  const parts = [`紧急程度：${label("urgency", s.urgency)}`];
  if (s.urgency_reasons.length) parts.push(`（${s.urgency_reasons.join("、")}）`);
  parts.push(`；诉求性质：${label("intent", s.intent)}`);
  if (s.contact_number) parts.push(`；来电中提到的号码：${s.contact_number}`);
  // names put right by sound (读音纠正): the suggestions read the corrected words; the transcript is kept as heard
  const fixed = (s.corrections || []).map((c) => `${c.heard}→${c.name}`);
  if (fixed.length) parts.push(`；读音纠正：${fixed.join("、")}`);
  const apply = () => {
    f.urgency.value = s.urgency;
    if (s.request_type) f.request_type.value = s.request_type;
    if (s.contact_number && !f.phone.value.trim()) f.phone.value = s.contact_number;
    if (s.request_text && s.request_text !== f.request_text.value) f.request_text.value = s.request_text;
  };
  return h("div", { class: "suggestion draft-cues" },
    h("div", null, h("span", { text: `通话建议 — ${parts.join("")}` }), " ", adopt(apply)),
    categoryCue(s.category, f), locationCue(s.location, f),
    s.intent === "consultation" ? knowledgeList((s.knowledge || []).slice(0, 3)) : null);
}

function adopt(apply, name) {
  return h("button", { type: "button", class: "small", text: "采用", data: name ? { adopt: name } : undefined, on: { click: apply } });
}

/** 诉求分类建议: the category the words name, with the terms heard; 采用 picks it as the agent would. */
function categoryCue(c, f) {
  if (!c) return null;
  const path = c.path.join(" / ");
  const why = `（依据：${c.terms.join("、")}；把握 ${Math.round(c.confidence * 100)}%）`;
  const apply = () => {
    const known = categoryOf(c.code);
    f.category.value = `${c.code} ${known ? known.path : path}`;
    f.category.dispatchEvent(new Event("change"));
  };
  return h("div", { class: "category-cue" }, h("span", { text: `诉求分类建议：${path}（${c.code}）${why}` }), " ", adopt(apply, "category"));
}

/** 地址建议: the place the words name (区 / 街道 / 社区) and the phrase heard; 采用 types the phrase into the
 * address field, and the 一单通达 suggestion resolves it as for a typed address. */
function locationCue(loc, f) {
  if (!loc) return null;
  const where = loc.path.length ? ` → ${loc.path.join(" / ")}` : "";
  const issue = loc.issue ? `（${label("location_issue", loc.issue)}）` : "";
  const apply = () => {
    f.address.value = loc.phrase;
    f.address.dispatchEvent(new Event("input"));
  };
  return h("div", { class: "location-cue" }, h("span", { text: `地址建议：${loc.phrase}${where}${issue}` }), " ", adopt(apply, "location"));
}

/** 保密工单: what in the text still identifies the informant (the server's privacy_review_needed), what the
 * units would read instead, and the agent's two ways on: write the unit summary, or confirm. */
function showPrivacyReview(box, details, confirm) {
  const found = (details.privacy_warnings || []).map((w) => `${label("privacy_kind", w.kind)}：${w.text}`);
  const view = details.unit_view || {};
  box.replaceChildren(
    h("strong", { text: "保密工单：以下内容可识别举报人，承办单位将看不到" }),
    h("ul", null, found.map((text) => h("li", { text }))),
    h("div", { class: "muted", text: "承办单位将看到（已自动隐去）：" }),
    h("p", { class: "request-text", text: view.request_text || "—" }),
    h("div", { text: "如从上面的文字仍能看出举报人是谁，请填写「对单位摘要」后重新提交；核对无误可确认提交。" }),
    h("button", { type: "button", class: "primary", text: "已核对，确认提交", data: { confirm: "privacy" },
      on: { click: () => { box.hidden = true; confirm(); } } }));
  box.hidden = false;
}

/** The form to register a draft (order) or create a new order (order null). */
function registrationForm(order, done) {
  const f = registrationFields(order);
  const caller = order ? null : h("input", { name: "caller_number", maxLength: 32, placeholder: "市民来电号码" });
  const lead = unitInput("lead_unit", "");
  const assisting = h("input", { name: "assisting_units", list: "unit-list", placeholder: "多个用逗号分隔", autocomplete: "off" });
  const hint = h("div", { class: "suggestion" });
  let leadTouched = false;
  lead.addEventListener("input", () => { leadTouched = Boolean(lead.value); });
  const use = (leadId, assistingIds) => { lead.value = leadId; assisting.value = assistingIds.join(", "); leadTouched = true; };
  const refreshSuggestion = debounce(async () => {
    const category = codeOf(f.category);
    const known = categoryOf(category);
    if (known && known.request_type && !f.request_type.value) f.request_type.value = known.request_type;
    try {
      const result = await suggest(f.address.value.trim(), category);
      f.area = result && result.area ? result.area.code : "";
      showSuggestion(hint, result, use);
      if (!leadTouched) {
        lead.value = result && result.route ? result.route.lead : "";
        assisting.value = result && result.route ? result.route.assisting.join(", ") : "";
      }
    } catch (error) {
      f.area = "";
      hint.replaceChildren(h("span", { class: "muted", text: `无派单建议（${errorText(error)}），请手工填写承办单位代码` }));
    }
  }, 400);
  f.address.addEventListener("input", refreshSuggestion);
  f.category.addEventListener("change", refreshSuggestion);
  f.category.addEventListener("input", refreshSuggestion);
  if (order && (order.address || order.category_code)) refreshSuggestion();

  const body = (dispatch) => {
    const b = f.read();
    if (dispatch) b.dispatch = { lead_unit: codeOf(lead), assisting_units: unitIdsOf(assisting.value) };
    if (order) b.version = order.version;
    else b.caller_number = caller.value;
    return b;
  };
  const review = h("div", { class: "privacy-review", role: "alert", hidden: true });
  const unitSummary = field("对单位摘要", f.unit_summary, "wide");
  const showUnitSummary = () => { unitSummary.hidden = !f.confidential.checked; review.hidden = true; };
  f.confidential.addEventListener("change", showUnitSummary);
  for (const input of [f.request_text, f.summary, f.unit_summary]) input.addEventListener("input", () => { review.hidden = true; });
  showUnitSummary();
  const send = (dispatch, okText, confirmed) => async () => {
    const b = body(dispatch);
    if (confirmed) b.privacy_confirmed = true;
    try {
      return await (order
        ? api("POST", `/api/workorders/${order.id}/register`, b)
        : api("POST", "/api/workorders", b));
    } catch (error) {
      if (error.code === "privacy_review_needed") showPrivacyReview(review, error.details, () => run(dispatch, okText, true));
      throw error;
    }
  };
  const run = (dispatch, okText, confirmed) => submit(msg, order, send(dispatch, okText, confirmed), done, okText);
  const controls = [
    draftCues(order, f),
    field("诉求内容", f.request_text, "wide"), field("诉求摘要", f.summary, "wide"),
    caller ? field("来电号码", caller) : null,
    field("市民姓名", f.name), field("联系电话", f.phone), field("保密工单", f.confidential, "check"), unitSummary,
    field("诉求分类", f.category, "wide"), field("地址", f.address, "wide"), hint,
    field("紧急程度", f.urgency), field("诉求类型", f.request_type),
    field("主办单位", lead), field("协办单位", assisting), review,
  ];
  const { form, msg } = actionForm(order ? "受理登记" : "手工录入新工单", controls, [
    button("受理并派单", () => {
      if (!codeOf(lead)) return msg.show("请填写或采用主办单位；无法确定时请点「仅受理」", "error");
      return run(true, "已受理并派单");
    }, "primary"),
    button("仅受理", () => run(false, "已受理，转派单员处理")),
  ], "registration");
  return form;
}

function resolveForm(order, done) {
  const answer = h("textarea", { name: "answer", rows: 3, placeholder: "答复市民的内容（如政策解答）" });
  const { form, msg } = actionForm("直接办结", [field("答复", answer, "wide")], [button("直接办结", () => {
    if (!answer.value.trim()) return msg.show("请填写答复内容", "error");
    return submit(msg, order, () => act(order, "resolve_on_call", { answer: answer.value }), done, "已直接办结");
  })]);
  return form;
}

function pane(order, done) {
  if (order.status === "draft") {
    return [orderHeader(order), order.call_id ? h("section", null, h("h4", { text: "通话转写与录音" }), transcriptView(order.call_id)) : null,
      registrationForm(order, done)];
  }
  const parts = [orderHeader(order), requestText(order), orderFacts(order)];
  if (order.status === "registered") parts.push(resolveForm(order, done), dispatchForm(order, done, "dispatch"));
  return parts;
}

/** The catalogue's word on a registered order (the register answer's `routing`), added to the notice. */
function routed(order, note) {
  const routing = order.routing;
  if (!note || !routing || order.status !== "registered") return note;
  if (routing.unclear) return { ...note, text: `${note.text}；目录无法自动派单：${label("unclear", routing.unclear)}，已进入派单员队列` };
  return routing.lead_unit ? { ...note, text: `${note.text}；目录建议主办单位 ${unitLabel(routing.lead_unit)}` } : note;
}

/** After a confirmed 保密 registration: the agent is reminded what the units read. */
function privacyNote(order, note) {
  if (!note || !order.privacy_warnings || !order.privacy_warnings.length) return note;
  return { ...note, text: `${note.text}；承办单位看到的是隐去举报人信息后的内容` };
}

export function intakeView() {
  const drafts = h("div");
  const registered = h("div");
  const list = h("div", { class: "list-pane" }, h("button", { type: "button", class: "primary", text: "＋ 手工录入新工单", on: { click: () => showNew() } }), drafts, registered);
  const notice = h("p", { class: "message", hidden: true });
  const work = h("div", { class: "work-pane" }, empty("选择一张工单草稿进行受理"));
  const root = h("div", { class: "workbench" }, list, work);
  let selected = null;

  const done = (updated, note) => { show(updated, privacyNote(updated, routed(updated, note))); refresh(); };
  function show(order, note) {
    selected = order;
    notice.hidden = !note;
    if (note) { notice.textContent = note.text; notice.className = `message ${note.kind}`; }
    fill(work, [notice, pane(order, done)]);
  }
  function showNew() {
    selected = null;
    notice.hidden = true;
    work.replaceChildren(notice, registrationForm(null, done));
  }
  async function pick(summary) {
    try { show(await loadOrder(summary.id)); } catch (error) { work.replaceChildren(empty(errorText(error))); }
  }
  async function refresh() {
    try {
      const [d, r] = await Promise.all([
        api("GET", `/api/workorders?${query({ status: "draft", limit: 100 })}`),
        api("GET", `/api/workorders?${query({ status: "registered", limit: 100 })}`),
      ]);
      drafts.replaceChildren(h("h3", { text: `工单草稿（${d.items.length}）` }), orderList(d.items, pick, selected && selected.id, "暂无工单草稿"));
      registered.replaceChildren(h("h3", { text: `已受理待派（${r.items.length}）` }), orderList(r.items, pick, selected && selected.id, "无"));
    } catch (error) {
      drafts.replaceChildren(empty(errorText(error)));
    }
  }
  return { root, refresh };
}
