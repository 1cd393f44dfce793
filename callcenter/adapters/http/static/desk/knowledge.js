// 知识库: standard answers for a consultation (咨询). knowledgeFor(text) asks the server which answers fit
// the caller's words — the draft's, or the live transcript's so far (the live panel calls it as words
// arrive); knowledgeList(answers) shows them, title first, the answer expandable; knowledgeView is the
// 知识库 tab (search and browse; an admin edits).

import { api, errorText, query } from "./api.js";
import { categoryInput, categoryLabel } from "./catalogue.js";
import { codeOf, debounce, empty, field, fill, h, when } from "./dom.js";
import { actionForm, button, submit } from "./order.js";

export const MAX_TEXT = 400;  // the server matches at most this many characters per request
const state = { available: true };

/** The answers (at most `limit`, best first) for the words; [] for no words or where the API is absent. */
export async function knowledgeFor(text, limit, category) {
  const words = String(text || "").trim().slice(-MAX_TEXT);  // the latest words matter most
  if (!state.available || !words) return [];
  try {
    const found = await api("POST", "/api/knowledge/suggest", { text: words, limit, category });  // words never in a URL
    return found.items || [];
  } catch (error) {
    if (error.status === 404 && error.code === "http_404") { state.available = false; return []; }
    throw error;
  }
}

/** A 知识库 section: each answer's title, expandable to the answer and the words it was found by. */
export function knowledgeList(answers) {
  if (!answers || !answers.length) return null;
  return h("div", { class: "knowledge" }, h("strong", { text: "知识库" }),
    answers.map((a) => h("details", { class: "knowledge-answer", data: { article: a.id } },
      h("summary", { text: a.title }),
      h("p", { class: "answer", text: a.answer }),
      a.terms && a.terms.length ? h("p", { class: "muted", text: `匹配词：${a.terms.join("、")}` }) : null)));
}

/** The 知识库 tab: hotline staff search the answers (as the caller's words would find them) or browse all;
 * an admin also adds, edits and deletes articles. */
export function knowledgeView(me) {
  const admin = Boolean(me && me.role === "admin");
  const search = h("input", { type: "search", name: "knowledge_search", placeholder: "输入市民的问题或关键词，如：社保卡丢了怎么补办", autocomplete: "off" });
  const results = h("div", { class: "knowledge-results" });
  const editor = h("div");
  const root = h("div", { class: "knowledge-view" }, h("label", { class: "field wide" }, h("span", { text: "查找答复" }), search), editor, results);
  let articles = [];

  const browse = () => fill(results, [h("h3", { text: `全部条目（${articles.length}）` }),
    articles.length ? articles.map((a) => articleItem(a, admin ? () => edit(a) : null, admin ? () => remove(a) : null)) : empty("知识库暂无条目")]);
  const find = debounce(async () => {
    const text = search.value.trim();
    if (!text) return browse();
    try {
      const found = await knowledgeFor(text, 10);
      fill(results, found.length ? knowledgeList(found) : empty("没有匹配的答复，请换个说法或浏览全部条目"));
    } catch (error) {
      results.replaceChildren(empty(errorText(error)));
    }
  }, 300);
  search.addEventListener("input", find);

  function edit(article) {
    editor.replaceChildren(articleForm(article, () => { editor.replaceChildren(newButton()); refresh(); }));
  }
  async function remove(article) {
    try {
      await api("DELETE", `/api/knowledge/${encodeURIComponent(article.id)}?${query({ version: article.version })}`);
      await refresh();
    } catch (error) {
      results.prepend(h("p", { class: "message error", text: errorText(error) }));
    }
  }
  function newButton() {
    return admin ? h("button", { type: "button", class: "primary", text: "＋ 新增知识条目", on: { click: () => edit(null) } }) : null;
  }
  async function refresh() {
    try {
      articles = (await api("GET", "/api/knowledge")).items || [];
      if (!editor.firstChild) fill(editor, [newButton()]);
      if (search.value.trim()) find(); else browse();
    } catch (error) {
      results.replaceChildren(empty(errorText(error)));
    }
  }
  return { root, refresh };
}

function articleItem(a, onEdit, onDelete) {
  return h("details", { class: "knowledge-answer", data: { article: a.id } },
    h("summary", { text: a.title }),
    h("p", { class: "answer", text: a.answer }),
    h("p", { class: "muted", text: `关键词：${(a.keywords || []).join("、") || "—"}；分类：${categoryLabel(a.category_code)}；更新：${when(a.updated_at)}` }),
    onEdit ? h("button", { type: "button", class: "small", text: "编辑", on: { click: onEdit } }) : null,
    onDelete ? h("button", { type: "button", class: "small", text: "删除", on: { click: onDelete } }) : null);
}

/** The admin's form for a new article (article null) or an edit (with its version). */
function articleForm(article, done) {
  const a = article || {};
  const title = h("input", { name: "title", maxLength: 100, value: a.title || "" });
  const keywords = h("input", { name: "keywords", value: (a.keywords || []).join(" "), placeholder: "市民常用的说法，空格或逗号分隔，如：社保卡 补办 社保卡丢了" });
  const category = categoryInput("category_code", a.category_code || "");
  const answer = h("textarea", { name: "answer", rows: 6, value: a.answer || "", placeholder: "话务员可直接读给市民的答复；政策因地而异时注明“以当地最新政策为准”" });
  const body = () => ({ title: title.value, keywords: keywords.value.split(/[\s,，、;；]+/).filter(Boolean),
    answer: answer.value, category_code: codeOf(category), ...(article ? { version: article.version } : {}) });
  const save = () => (article
    ? api("PUT", `/api/knowledge/${encodeURIComponent(article.id)}`, body())
    : api("POST", "/api/knowledge", body()));
  const { form, msg } = actionForm(article ? `编辑：${article.title}` : "新增知识条目",
    [field("标题", title, "wide"), field("关键词", keywords, "wide"), field("诉求分类（可空）", category, "wide"), field("答复", answer, "wide")],
    [button("保存", () => submit(msg, null, save, done, "已保存"), "primary"), button("取消", () => done())], "knowledge-form");
  return form;
}
