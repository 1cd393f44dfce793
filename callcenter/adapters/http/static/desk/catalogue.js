// The dispatch catalogue (诉求分类, 承办单位, 一单通达 suggestions). Optional: when the catalogue API is
// absent the desk still works, the agent types category and unit codes by hand.

import { api } from "./api.js";
import { h } from "./dom.js";
import { label } from "./labels.js";

const state = { loaded: false, categories: [], units: [], byCategory: new Map(), byUnit: new Map(), suggest: true };

/** Load categories and units once; failures leave the lists empty (codes typed by hand). */
export async function loadCatalogue() {
  if (state.loaded) return;
  state.loaded = true;
  const [categories, units] = await Promise.allSettled([
    api("GET", "/api/catalogue/categories"),
    api("GET", "/api/catalogue/units"),
  ]);
  if (categories.status === "fulfilled") state.categories = categories.value.items || [];
  if (units.status === "fulfilled") state.units = units.value.items || [];
  state.byCategory = new Map(state.categories.map((c) => [c.code, c]));
  state.byUnit = new Map(state.units.map((u) => [u.id, u]));
  document.body.append(datalist("cat-list", state.categories.map((c) => [c.code, c.path || c.name])));
  const active = state.units.filter((u) => u.active !== false);
  document.body.append(datalist("unit-list", active.map((u) => [u.id, `${u.name}（${label("unit_kind", u.kind)}）`])));
}

function datalist(id, pairs) {
  return h("datalist", { id }, pairs.map(([code, text]) => h("option", { value: `${code} ${text}` })));
}

/** "城乡建设 / 物业管理 / 物业服务（020301）", or the bare code when the catalogue does not know it. */
export function categoryLabel(code) {
  if (!code) return "—";
  const found = state.byCategory.get(code);
  return found ? `${found.path || found.name}（${code}）` : code;
}

export function categoryOf(code) {
  return state.byCategory.get(code) || null;
}

/** "建国门街道办事处（jianguomen）", or the bare id. */
export function unitLabel(id) {
  if (!id) return "—";
  const found = state.byUnit.get(id);
  return found ? `${found.name}（${id}）` : id;
}

/** The id of a unit given as a string or as {id, name}. */
export function unitId(unit) {
  return typeof unit === "string" ? unit : unit && unit.id ? unit.id : "";
}

/** A searchable category input: a datalist of "code path"; the code is read back with codeOf(). */
export function categoryInput(name, code) {
  return h("input", { name, list: "cat-list", value: code ? `${code} ${categoryOf(code) ? categoryOf(code).path : ""}`.trim() : "",
    placeholder: "输入分类名称或代码搜索", autocomplete: "off" });
}

/** A searchable unit input ("id 名称"). */
export function unitInput(name, id) {
  const known = id ? state.byUnit.get(id) : null;
  return h("input", { name, list: "unit-list", value: id ? `${id}${known ? ` ${known.name}` : ""}` : "",
    placeholder: "输入单位名称或代码", autocomplete: "off" });
}

/** Unit ids from a free-text list "a, b c" or datalist entries separated by ; / newline. */
export function unitIdsOf(text) {
  return text.split(/[;；,，\n]+/).map((part) => part.trim().split(/\s+/)[0]).filter(Boolean);
}

function routeOf(r) {
  return { lead: unitId(r.lead_unit), assisting: (r.assisting_units || []).map(unitId), area: r.area || "" };
}

/**
 * One shape for the suggestion, whichever the server sends: {area, areaCandidates, route: {lead, assisting} | null,
 * unclear: {reason, candidates: [{lead, assisting, area}]} | null}. The API puts ``unclear`` and ``candidates``
 * inside ``route`` (routing_json); a top-level ``unclear`` is read too.
 */
export function normalise(result) {
  const route = result.route || null;
  const unclear = result.unclear || (route && route.unclear ? { reason: route.unclear, candidates: route.candidates || [] } : null);
  return {
    area: result.area || null,
    areaCandidates: result.area_candidates || [],
    route: route && route.lead_unit ? routeOf(route) : null,
    unclear: unclear ? { reason: unclear.reason, candidates: (unclear.candidates || []).map(routeOf) } : null,
  };
}

/** 一单通达: where the catalogue routes this category × address; null when there is nothing to ask. */
export async function suggest(address, category) {
  if (!state.suggest || (!address && !category)) return null;
  try {
    return normalise(await api("POST", "/api/catalogue/suggest", { address, category }));  // an address never in a URL
  } catch (error) {
    if (error.status === 404 && error.code === "http_404") state.suggest = false;  // no catalogue API here
    throw error;
  }
}
