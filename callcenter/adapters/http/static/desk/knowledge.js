// 知识库: standard answers for a consultation (咨询). knowledgeFor(text) asks the server which answers fit
// the caller's words — the draft's, or the live transcript's so far (the live panel calls it as words
// arrive); knowledgeList(answers) shows them, title first, the answer expandable.

import { api, query } from "./api.js";
import { h } from "./dom.js";

export const MAX_TEXT = 400;  // the server matches at most this many characters per request (a GET)
const state = { available: true };

/** The answers (at most `limit`, best first) for the words; [] for no words or where the API is absent. */
export async function knowledgeFor(text, limit, category) {
  const words = String(text || "").trim().slice(-MAX_TEXT);  // the latest words matter most
  if (!state.available || !words) return [];
  try {
    const found = await api("GET", `/api/knowledge/suggest?${query({ text: words, limit, category })}`);
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
