/* The agenda builder: a grid of halls × days over the same REST API every client uses.
   No build step. Every change is sent to the API; the server's conflict rules decide,
   and the page shows what they say (errors refuse the change, warnings stay visible). */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("builder-config").textContent);
  const T = JSON.parse(document.getElementById("builder-strings").textContent);
  const API = config.api;
  const canEdit = config.can_edit;
  const PX_PER_MIN = 1.2;
  const SHORT_CARD_PX = 40;
  const SNAP = 5;
  const NO_HALL = "";

  const state = { sessions: [], byId: new Map(), conflicts: { errors: [], warnings: [] }, prayers: null, overrides: [], current: null };

  // ---- small helpers -------------------------------------------------------------------------
  const $ = (sel, root) => (root || document).querySelector(sel);
  // The visitor's digit choice (Arabic-Indic or Western) holds for every number the builder writes,
  // form fields included: the browser's own time and number inputs would show its clock and digits,
  // so times and numbers are text fields that show the chosen digits and take either script.
  const ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩";
  const PERSIAN = "۰۱۲۳۴۵۶۷۸۹";
  const shown = (text) => (config.digits === "arab" ? String(text).replace(/[0-9]/g, (d) => ARABIC_INDIC[d]) : String(text));
  const western = (text) => String(text).trim()
    .replace(/[٠-٩]/g, (d) => String(ARABIC_INDIC.indexOf(d)))
    .replace(/[۰-۹]/g, (d) => String(PERSIAN.indexOf(d)));
  // "13:30", "١٣:٣٠", "9:05" or "13.30" (the Arabic decimal separator too) -> minutes after midnight; null if not a 24-hour time.
  function clockMinutes(value) {
    const match = /^(\d{1,2})\s*[:.٫]\s*(\d{2})$/.exec(western(value));
    if (!match) return null;
    const h = Number(match[1]), m = Number(match[2]);
    return h < 24 && m < 60 ? h * 60 + m : null;
  }
  // A whole number typed in either script; "" stays empty, anything else that is not one is NaN.
  function wholeNumber(value) {
    const text = western(value);
    if (text === "") return null;
    return /^\d+$/.test(text) ? Number(text) : NaN;
  }
  // Which form fields hold a clock time or a whole number (checked before anything is sent).
  const CLOCK_FIELDS = ["start", "end"];
  const NUMBER_FIELDS = ["number", "expected_audience"];
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = shown(value);
      else if (key === "aria-label" || key === "title") node.setAttribute(key, shown(value));
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (key === "style") node.setAttribute("style", value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  }
  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, (_, key) => (values[key] === undefined ? "" : values[key]));
  }
  const pad = (n) => String(n).padStart(2, "0");
  // Times come from the API in the forum's zone ("2018-10-29T09:00:00+03:00"): read the wall clock as written.
  const dayOf = (iso) => iso.slice(0, 10);
  const minutesOf = (iso) => Number(iso.slice(11, 13)) * 60 + Number(iso.slice(14, 16));
  const hhmm = (minutes) => pad(Math.floor(minutes / 60)) + ":" + pad(minutes % 60);
  // Naive local times are read by the API in the forum's zone.
  function localIso(day, minutes) {
    const date = new Date(day + "T00:00:00Z");
    date.setUTCMinutes(minutes);
    return date.toISOString().slice(0, 16);
  }
  function addDays(day, n) {
    const date = new Date(day + "T00:00:00Z");
    date.setUTCDate(date.getUTCDate() + n);
    return date.toISOString().slice(0, 10);
  }
  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  const localized = (ar, en) => (config.language.startsWith("en") ? en || ar : ar || en);

  async function call(method, path, body) {
    const options = {
      method,
      credentials: "same-origin",
      headers: { Accept: "application/json", "Accept-Language": config.language, "X-CSRFToken": csrfToken() },
    };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    const response = await fetch(path.startsWith("/") ? path : API + path, options);
    let data = null;
    if (response.status !== 204) {
      try { data = await response.json(); } catch (e) { data = null; }
    }
    return { ok: response.ok, status: response.status, data };
  }

  // ---- messages ------------------------------------------------------------------------------
  const alertBox = $("#builder-alert");
  const statusBox = $("#builder-status");
  function fieldLabel(key) {
    const dialogForm = document.getElementById("session-form");
    const input = dialogForm && dialogForm.elements[key];
    const label = input && input.id ? document.querySelector('label[for="' + input.id + '"]') : null;
    return label ? label.textContent.trim() : "";
  }
  function messagesOf(data) {
    if (!data) return [T.error];
    if (Array.isArray(data.errors) && data.errors.length) return data.errors.map((e) => e.message);
    const lines = [];
    for (const [key, value] of Object.entries(data)) {
      if (key === "code" || key === "warnings") continue;
      const list = Array.isArray(value) ? value : [value];
      // Name the field ("Title (Arabic): This field may not be blank."), or the message says nothing useful.
      const label = fieldLabel(key);
      for (const item of list) {
        const text = typeof item === "string" ? item : JSON.stringify(item);
        lines.push(label ? label + ": " + text : text);
      }
    }
    return lines.length ? lines : [T.error];
  }
  function showRefusal(result, box) {
    box = box || alertBox;
    box.replaceChildren();
    const intro = result.status === 409 ? T.stale : T.refused;
    box.append(el("p", { text: intro }));
    if (result.status !== 409) box.append(el("ul", {}, ...messagesOf(result.data).map((m) => el("li", { text: m }))));
    box.hidden = false;
  }
  function clearAlert() { alertBox.hidden = true; alertBox.replaceChildren(); }
  function showSaved(conflicts) {
    clearAlert();
    statusBox.replaceChildren(el("span", { text: T.saved }));
    const warnings = (conflicts && conflicts.warnings) || [];
    if (warnings.length) {
      statusBox.append(" ", el("span", { class: "warning-line", text: T.warnings + " " + warnings.map((w) => w.message).join(" · ") }));
    }
  }

  // ---- loading -------------------------------------------------------------------------------
  async function loadSessions() {
    let url = API + "sessions/?ordering=starts_at";
    const all = [];
    while (url) {
      const result = await call("GET", url);
      if (!result.ok) { showRefusal(result); return; }
      all.push(...result.data.results);
      url = result.data.next ? new URL(result.data.next).pathname + new URL(result.data.next).search : null;
    }
    state.sessions = all;
    state.byId = new Map(all.map((s) => [s.id, s]));
  }
  async function loadConflicts() {
    const result = await call("GET", "conflicts/");
    if (result.ok) state.conflicts = result.data;
  }
  async function refresh() {
    await Promise.all([loadSessions(), loadConflicts()]);
    renderGrid();
    renderConflicts();
    if (state.current) renderDialogLists();
  }

  // ---- the grid ------------------------------------------------------------------------------
  const grid = $("#grid");
  const columns = () => [...config.halls.map((h) => ({ id: String(h.id), name: h.name, capacity: h.capacity })), { id: NO_HALL, name: T.no_hall }];

  function dayRange(day) {
    let start = 8 * 60, end = 18 * 60;
    for (const s of state.sessions) {
      if (dayOf(s.starts_at) !== day) continue;
      start = Math.min(start, Math.floor(minutesOf(s.starts_at) / 60) * 60);
      const endDay = dayOf(s.ends_at);
      const endMin = endDay === day ? minutesOf(s.ends_at) : 24 * 60;
      end = Math.max(end, Math.ceil(endMin / 60) * 60);
    }
    return { start, end: Math.min(end + 60, 24 * 60) };
  }

  function renderGrid() {
    const cols = columns();
    const warnCount = new Map();
    for (const w of state.conflicts.warnings) for (const id of w.session_ids) warnCount.set(id, (warnCount.get(id) || 0) + 1);
    grid.replaceChildren();
    for (const day of config.forum.days) {
      const range = dayRange(day);
      const height = (range.end - range.start) * PX_PER_MIN;
      const band = el("section", { class: "day-band", "data-day": day, "aria-label": config.day_labels[day] });
      band.append(el("h2", { text: config.day_labels[day] }));
      const dayGrid = el("div", { class: "day-grid", style: `grid-template-columns: 3.5rem repeat(${cols.length}, minmax(11rem, 1fr));` });
      dayGrid.append(el("div", { class: "col-head", text: T.time }));
      for (const col of cols) {
        dayGrid.append(el("div", { class: "col-head", "data-hall-id": col.id }, col.name, col.capacity ? el("small", { text: "(" + col.capacity + ")" }) : null));
      }
      const ruler = el("div", { class: "time-col", style: `block-size:${height}px` });
      for (let m = range.start; m < range.end; m += 60) {
        ruler.append(el("span", { style: `inset-block-start:${(m - range.start) * PX_PER_MIN}px`, text: hhmm(m) }));
      }
      dayGrid.append(ruler);
      for (const col of cols) {
        const column = el("div", {
          class: "hall-col", "data-hall-id": col.id, "data-day": day, "data-start": range.start,
          style: `block-size:${height}px; --hour:${60 * PX_PER_MIN}px`,
          "data-testid": `hall-col-${col.id || "none"}-${day}`,
        });
        if (canEdit) column.addEventListener("dblclick", (event) => {
          if (event.target !== column) return;
          const offset = event.clientY - column.getBoundingClientRect().top;
          const start = range.start + Math.round(offset / PX_PER_MIN / 15) * 15;
          openDialog(null, { day, hall: col.id, start, end: start + 60 });
        });
        for (const p of prayersOf(day)) {
          const m = minutesOf(p.time);
          if (m < range.start || m > range.end) continue;
          column.append(el("div", { class: "prayer-line", style: `inset-block-start:${(m - range.start) * PX_PER_MIN}px`, "aria-hidden": "true" },
            el("span", { text: p.label + " " + hhmm(m) })));
        }
        for (const s of state.sessions) {
          if (dayOf(s.starts_at) !== day || String(s.hall ?? "") !== col.id) continue;
          column.append(card(s, range, warnCount.get(s.id) || 0));
        }
        dayGrid.append(column);
      }
      band.append(dayGrid);
      grid.append(band);
    }
  }

  function card(s, range, warnings) {
    const top = (minutesOf(s.starts_at) - range.start) * PX_PER_MIN;
    const endMin = dayOf(s.ends_at) === dayOf(s.starts_at) ? minutesOf(s.ends_at) : 24 * 60;
    const height = Math.max((endMin - minutesOf(s.starts_at)) * PX_PER_MIN, 18);
    const track = config.tracks.find((t) => t.id === s.track);
    const title = localized(s.title_ar, s.title_en);
    const cancelled = s.status === "cancelled";
    const node = el("div", {
      // A short card (about half an hour or less) puts its time and title on one line, so both show.
      class: `session-card kind-${s.kind}` + (height < SHORT_CARD_PX ? " is-short" : "") + (cancelled ? " is-cancelled" : "") + (warnings ? " has-warning" : ""),
      tabindex: "0", role: "button", "data-session-id": s.id, "data-testid": `session-${s.id}`,
      title,  // a short session's card truncates its title: the full text shows on hover and focus
      // No aria-label: the card is named by what it shows (time, number, title, warnings), so the
      // spoken name contains the visible text (WCAG 2.5.3, axe label-content-name-mismatch).
      style: `inset-block-start:${top}px; block-size:${height}px; --time-size:${height}px;` + (track ? ` --track:${track.color};` : ""),
    },
    el("span", { class: "card-time", text: `${hhmm(minutesOf(s.starts_at))}–${hhmm(endMin)}` }),
    el("span", { class: "card-title", text: (s.number ? s.number + ". " : "") + title }),
    cancelled ? el("span", { class: "visually-hidden", text: ", " + T.cancelled }) : null,
    warnings ? el("span", { class: "card-warn", text: "⚠ " + fmt(T.warning_count, { count: warnings }) }) : null);
    if (canEdit && !cancelled) {
      const handle = el("div", { class: "resize-handle", "aria-hidden": "true", "data-testid": `resize-${s.id}` });
      node.append(handle);
      handle.addEventListener("pointerdown", (event) => startResize(event, s, node, range));
      node.addEventListener("pointerdown", (event) => { if (event.target !== handle) startDrag(event, s, node); });
    }
    node.addEventListener("keydown", (event) => onCardKey(event, s));
    node.addEventListener("click", () => { if (!node.dataset.justDragged) openDialog(s); });
    return node;
  }

  // ---- moving with the mouse ------------------------------------------------------------------
  function columnAt(x, y) {
    const hit = document.elementsFromPoint(x, y).find((n) => n.classList && n.classList.contains("hall-col"));
    return hit || null;
  }
  function startDrag(event, s, node) {
    if (event.button !== 0) return;
    const rect = node.getBoundingClientRect();
    const grabOffset = event.clientY - rect.top;
    const startX = event.clientX, startY = event.clientY;
    let moved = false, target = null;
    node.setPointerCapture(event.pointerId);
    const onMove = (e) => {
      const dx = e.clientX - startX, dy = e.clientY - startY;
      if (!moved && Math.abs(dx) + Math.abs(dy) < 5) return;
      moved = true;
      node.classList.add("dragging");
      node.style.transform = `translate(${dx}px, ${dy}px)`;
      node.style.pointerEvents = "none";
      const col = columnAt(e.clientX, e.clientY);
      if (target && target !== col) target.classList.remove("drop-target");
      target = col;
      if (target) target.classList.add("drop-target");
    };
    const onUp = (e) => {
      node.removeEventListener("pointermove", onMove);
      node.removeEventListener("pointerup", onUp);
      node.style.pointerEvents = "";
      if (target) target.classList.remove("drop-target");
      if (!moved) return;
      node.dataset.justDragged = "1";
      setTimeout(() => delete node.dataset.justDragged, 0);
      const col = columnAt(e.clientX, e.clientY);
      if (!col) { node.style.transform = ""; node.classList.remove("dragging"); return; }
      const colTop = col.getBoundingClientRect().top;
      const rangeStart = Number(col.dataset.start);
      let start = rangeStart + Math.round((e.clientY - colTop - grabOffset) / PX_PER_MIN / SNAP) * SNAP;
      start = Math.max(0, Math.min(start, 24 * 60 - SNAP));
      const length = durationOf(s);
      moveSession(s, { day: col.dataset.day, hall: col.dataset.hallId, start, end: Math.min(start + length, 24 * 60) }, node);
    };
    node.addEventListener("pointermove", onMove);
    node.addEventListener("pointerup", onUp);
  }
  function startResize(event, s, node, range) {
    event.stopPropagation();
    event.preventDefault();
    const handle = event.target;
    handle.setPointerCapture(event.pointerId);
    const startY = event.clientY;
    // The session's own length, not the card's box: a focused or hovered card opens to its full text.
    const baseHeight = durationOf(s) * PX_PER_MIN;
    // "important" so the new length shows even while the card is opened on hover.
    node.style.setProperty("min-block-size", "0", "important");  // so it can be dragged shorter too
    const onMove = (e) => { node.style.setProperty("block-size", Math.max(18, baseHeight + e.clientY - startY) + "px", "important"); };
    const onUp = (e) => {
      handle.removeEventListener("pointermove", onMove);
      handle.removeEventListener("pointerup", onUp);
      node.dataset.justDragged = "1";
      setTimeout(() => delete node.dataset.justDragged, 0);
      const start = minutesOf(s.starts_at);
      const length = Math.max(SNAP, Math.round((baseHeight + e.clientY - startY) / PX_PER_MIN / SNAP) * SNAP);
      moveSession(s, { day: dayOf(s.starts_at), hall: String(s.hall ?? ""), start, end: Math.min(start + length, 24 * 60) }, node);
    };
    handle.addEventListener("pointermove", onMove);
    handle.addEventListener("pointerup", onUp);
    void range;
  }
  function durationOf(s) {
    const end = dayOf(s.ends_at) === dayOf(s.starts_at) ? minutesOf(s.ends_at) : 24 * 60 + minutesOf(s.ends_at);
    return end - minutesOf(s.starts_at);
  }

  // ---- moving with the keyboard ---------------------------------------------------------------
  function onCardKey(event, s) {
    if (event.key === "Enter" || event.key === " ") { event.preventDefault(); openDialog(s); return; }
    if (!canEdit || s.status === "cancelled") return;
    const start = minutesOf(s.starts_at), length = durationOf(s), day = dayOf(s.starts_at);
    const hall = String(s.hall ?? "");
    const cols = columns().map((c) => c.id);
    const rtl = document.documentElement.dir === "rtl";
    let change = null;
    if (event.key === "ArrowUp" && event.shiftKey) change = { day, hall, start, end: start + Math.max(SNAP, length - 15) };
    else if (event.key === "ArrowDown" && event.shiftKey) change = { day, hall, start, end: start + length + 15 };
    else if (event.key === "ArrowUp") change = { day, hall, start: start - 15, end: start - 15 + length };
    else if (event.key === "ArrowDown") change = { day, hall, start: start + 15, end: start + 15 + length };
    else if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
      const forward = (event.key === "ArrowLeft") === rtl;
      const index = cols.indexOf(hall) + (forward ? 1 : -1);
      if (index >= 0 && index < cols.length) change = { day, hall: cols[index], start, end: start + length };
    } else if (event.key === "PageUp" || event.key === "PageDown") {
      const days = config.forum.days;
      const index = days.indexOf(day) + (event.key === "PageDown" ? 1 : -1);
      if (index >= 0 && index < days.length) change = { day: days[index], hall, start, end: start + length };
    } else if (event.key === "Delete") {
      event.preventDefault();
      cancelSession(s);
      return;
    }
    if (!change) return;
    event.preventDefault();
    if (change.start < 0 || change.end > 24 * 60) return;
    moveSession(s, change, null, true);
  }

  // ---- saving ---------------------------------------------------------------------------------
  async function moveSession(s, where, node, refocus) {
    if (node) node.classList.add("saving");
    const body = {
      hall: where.hall === NO_HALL ? null : Number(where.hall),
      starts_at: localIso(where.day, where.start),
      ends_at: localIso(where.day, where.end),
      lock_version: s.lock_version,
    };
    const result = await call("PATCH", `sessions/${s.id}/`, body);
    if (result.ok) showSaved(result.data.conflicts); else showRefusal(result);
    await refresh();
    if (refocus) { const again = grid.querySelector(`[data-session-id="${s.id}"]`); if (again) again.focus(); }
    return result;
  }
  async function cancelSession(s) {
    if (!window.confirm(T.cancel_confirm)) return;
    const result = await call("POST", `sessions/${s.id}/cancel/`, { lock_version: s.lock_version });
    if (result.ok) showSaved(result.data.conflicts); else showRefusal(result);
    await refresh();
    if (state.current && state.current.id === s.id) fillDialog(state.byId.get(s.id));
  }

  // ---- conflicts panel ------------------------------------------------------------------------
  function renderConflicts() {
    const box = $("#conflicts-list");
    box.replaceChildren();
    const { errors, warnings } = state.conflicts;
    if (!errors.length && !warnings.length) { box.append(el("p", { text: T.no_conflicts })); return; }
    const list = el("ul");
    for (const [kind, entries] of [["error", errors], ["warning", warnings]]) {
      for (const entry of entries) {
        const target = entry.session_ids[0];
        list.append(el("li", { class: `conflict conflict--${kind}`, "data-code": entry.code },
          el("button", { type: "button", text: entry.message, onclick: () => focusSession(target) })));
      }
    }
    box.append(list);
  }
  function focusSession(id) {
    const node = grid.querySelector(`[data-session-id="${id}"]`);
    if (node) { node.scrollIntoView({ block: "center" }); node.focus(); }
  }

  // ---- the session form -----------------------------------------------------------------------
  const dialog = $("#session-dialog");
  const form = $("#session-form");
  function fillSelect(select, options, blank) {
    select.replaceChildren();
    if (blank !== undefined) select.append(el("option", { value: "", text: blank }));
    for (const [value, label] of options) select.append(el("option", { value: String(value), text: label }));
  }
  fillSelect($("#f-kind"), config.kinds);
  fillSelect($("#f-hall"), config.halls.map((h) => [h.id, h.name]), T.no_hall);
  fillSelect($("#f-track"), config.tracks.map((t) => [t.id, t.name]), "—");
  fillSelect($("#f-day"), config.forum.days.map((d) => [d, config.day_labels[d]]));
  if ($("#role-role")) fillSelect($("#role-role"), config.roles);
  if ($("#item-kind")) fillSelect($("#item-kind"), config.item_kinds);
  if (!canEdit) for (const input of form.querySelectorAll("input, select")) input.disabled = true;
  if ($("#clock-help")) $("#clock-help").textContent = shown($("#clock-help").textContent);

  function openDialog(s, defaults) {
    state.current = s || null;
    $("#session-form-errors").hidden = true;
    $("#session-dialog-title").textContent = s ? T.edit_session : T.new_session;
    if (s) fillDialog(s);
    else {
      form.reset();
      $("#f-day").value = defaults ? defaults.day : config.forum.days[0];
      $("#f-hall").value = defaults ? defaults.hall : (config.halls[0] ? String(config.halls[0].id) : "");
      $("#f-start").value = shown(hhmm(defaults ? defaults.start : 9 * 60));
      $("#f-end").value = shown(hhmm(defaults ? defaults.end : 10 * 60));
      $("#f-kind").value = "papers";
      $("#session-conflicts").replaceChildren();
      // Nothing to cancel or put back before the session exists.
      for (const id of ["#cancel-session", "#restore-session"]) if ($(id)) $(id).hidden = true;
    }
    $("#people-section").hidden = !s;
    $("#items-section").hidden = !s;
    if (!dialog.open) dialog.showModal();
    $("#f-title_ar").focus();
  }
  function fillDialog(s) {
    if (!s) return;
    state.current = s;
    form.title_ar.value = s.title_ar;
    form.title_en.value = s.title_en;
    form.kind.value = s.kind;
    form.number.value = s.number == null ? "" : shown(s.number);
    form.hall.value = s.hall == null ? "" : String(s.hall);
    form.track.value = s.track == null ? "" : String(s.track);
    form.day.value = dayOf(s.starts_at);
    form.start.value = shown(hhmm(minutesOf(s.starts_at)));
    form.end.value = shown(hhmm(minutesOf(s.ends_at)));
    form.expected_audience.value = s.expected_audience == null ? "" : shown(s.expected_audience);
    const cancel = $("#cancel-session"), restore = $("#restore-session");
    if (cancel) cancel.hidden = s.status === "cancelled";
    if (restore) restore.hidden = s.status !== "cancelled";
    renderSessionConflicts(s.conflicts);
    renderDialogLists();
  }
  function renderSessionConflicts(conflicts) {
    const box = $("#session-conflicts");
    box.replaceChildren();
    const warnings = (conflicts && conflicts.warnings) || [];
    if (warnings.length) box.append(el("ul", {}, ...warnings.map((w) => el("li", { class: "conflict conflict--warning", text: w.message }))));
  }
  function formBody() {
    const start = clockMinutes(form.start.value), end = clockMinutes(form.end.value);
    const day = form.day.value;
    // An end at or before the start on the clock means the next morning: the server refuses it if that leaves the forum.
    const endIso = end > start ? localIso(day, end) : localIso(addDays(day, end === start ? 0 : 1), end);
    return {
      title_ar: form.title_ar.value, title_en: form.title_en.value, kind: form.kind.value,
      number: wholeNumber(form.number.value),
      hall: form.hall.value ? Number(form.hall.value) : null,
      track: form.track.value ? Number(form.track.value) : null,
      starts_at: localIso(day, start), ends_at: endIso,
      expected_audience: wholeNumber(form.expected_audience.value),
    };
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!canEdit) return;
    // Times and numbers are checked here, in the visitor's language, before anything is sent.
    const refused = {};
    for (const key of CLOCK_FIELDS) if (clockMinutes(form[key].value) === null) refused[key] = [T.clock_invalid];
    for (const key of NUMBER_FIELDS) if (Number.isNaN(wholeNumber(form[key].value))) refused[key] = [T.number_invalid];
    if (Object.keys(refused).length) {
      showRefusal({ ok: false, status: 400, data: refused }, $("#session-form-errors"));
      return;
    }
    const body = formBody();
    const s = state.current;
    const result = s
      ? await call("PATCH", `sessions/${s.id}/`, { ...body, lock_version: s.lock_version })
      : await call("POST", "sessions/", body);
    if (!result.ok) {
      showRefusal(result, $("#session-form-errors"));
      showRefusal(result);
      if (result.status === 409) await refresh();
      return;
    }
    showSaved(result.data.conflicts);
    await refresh();
    const fresh = state.byId.get(result.data.id);
    if (s) { dialog.close(); state.current = null; focusSession(result.data.id); }
    else { openDialog(fresh); }
  });
  if ($("#new-session")) $("#new-session").addEventListener("click", () => openDialog(null));
  $("#close-dialog").addEventListener("click", () => { dialog.close(); state.current = null; });
  dialog.addEventListener("close", () => { state.current = null; });
  if ($("#cancel-session")) $("#cancel-session").addEventListener("click", () => state.current && cancelSession(state.current));
  if ($("#restore-session")) $("#restore-session").addEventListener("click", async () => {
    const s = state.current;
    const result = await call("PATCH", `sessions/${s.id}/`, { status: "scheduled", lock_version: s.lock_version });
    if (result.ok) showSaved(result.data.conflicts); else { showRefusal(result); showRefusal(result, $("#session-form-errors")); }
    await refresh();
    fillDialog(state.byId.get(s.id));
  });

  // People and items inside the session, with their running order.
  function orderButtons(list, index, onMove) {
    const up = el("button", { type: "button", text: "↑", "aria-label": T.move_up, disabled: index === 0 || !canEdit });
    const down = el("button", { type: "button", text: "↓", "aria-label": T.move_down, disabled: index === list.length - 1 || !canEdit });
    up.addEventListener("click", () => onMove(index, index - 1));
    down.addEventListener("click", () => onMove(index, index + 1));
    return [up, down];
  }
  function renderDialogLists() {
    const s = state.current && state.byId.get(state.current.id);
    if (!s) return;
    state.current = s;
    const roleLabel = new Map(config.roles);
    const itemLabel = new Map(config.item_kinds);
    const roles = $("#roles-list");
    roles.replaceChildren(...s.roles.map((r, i) => el("li", { "data-role-id": r.id },
      el("span", { class: "grow", text: `${localized(r.display_name_ar, r.display_name_en)} — ${roleLabel.get(r.role) || r.role}` }),
      ...orderButtons(s.roles, i, (from, to) => reorder("session-roles", s, s.roles, from, to)),
      canEdit ? el("button", { type: "button", text: T.remove, onclick: () => removeRow("session-roles", r.id) }) : null)));
    const items = $("#items-list");
    items.replaceChildren(...s.items.map((item, i) => el("li", { "data-item-id": item.id },
      el("span", { class: "grow", text: `${itemLabel.get(item.kind) || item.kind}${item.title_ar ? ": " + localized(item.title_ar, item.title_en) : ""}${item.duration_minutes ? ` (${item.duration_minutes} ${T.minutes})` : ""}` }),
      ...orderButtons(s.items, i, (from, to) => reorder("session-items", s, s.items, from, to)),
      canEdit ? el("button", { type: "button", text: T.remove, onclick: () => removeRow("session-items", item.id) }) : null)));
    renderSessionConflicts(s.conflicts);
  }
  async function reorder(kind, s, rows, from, to) {
    const ids = rows.map((r) => r.id);
    const [moved] = ids.splice(from, 1);
    ids.splice(to, 0, moved);
    const result = await call("POST", `${kind}/reorder/`, { session: s.id, ids });
    if (result.ok) showSaved(); else showRefusal(result);
    await refresh();
  }
  async function removeRow(kind, id) {
    const result = await call("DELETE", `${kind}/${id}/`);
    if (result.ok) showSaved(); else showRefusal(result);
    await refresh();
  }
  const peopleByLabel = new Map();
  if ($("#role-person")) {
    let timer = null;
    $("#role-person").addEventListener("input", (event) => {
      clearTimeout(timer);
      const term = event.target.value.trim();
      if (term.length < 2 || peopleByLabel.has(term)) return;
      timer = setTimeout(async () => {
        const result = await call("GET", `${config.people_api}?search=${encodeURIComponent(term)}`);
        if (!result.ok) return;
        const options = $("#people-options");
        options.replaceChildren();
        for (const p of result.data.results) {
          const label = `${localized(p.display_name_ar, p.display_name_en)} (#${p.id})`;
          peopleByLabel.set(label, p.id);
          options.append(el("option", { value: label }));
        }
      }, 200);
    });
    $("#role-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const label = $("#role-person").value.trim();
      const match = label.match(/#(\d+)\)$/);
      const person = peopleByLabel.get(label) || (match ? Number(match[1]) : null);
      if (!person) { showRefusal({ status: 400, data: { person: [T.person_not_found] } }, $("#session-form-errors")); return; }
      const result = await call("POST", "session-roles/", { session: state.current.id, person, role: $("#role-role").value });
      if (result.ok) { showSaved(result.data.conflicts); $("#role-person").value = ""; $("#session-form-errors").hidden = true; }
      else { showRefusal(result, $("#session-form-errors")); }
      await refresh();
    });
    $("#item-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const minutes = wholeNumber($("#item-minutes").value);
      if (Number.isNaN(minutes)) { showRefusal({ data: { errors: [{ message: $('label[for="item-minutes"]').textContent.trim() + ": " + T.number_invalid }] } }); return; }
      const result = await call("POST", "session-items/", {
        session: state.current.id, kind: $("#item-kind").value, title_ar: $("#item-title").value,
        duration_minutes: minutes || null,
      });
      if (result.ok) { showSaved(result.data.conflicts); $("#item-title").value = ""; $("#item-minutes").value = ""; $("#session-form-errors").hidden = true; }
      else { showRefusal(result, $("#session-form-errors")); }
      await refresh();
    });
  }

  // ---- prayer times ---------------------------------------------------------------------------
  function prayersOf(day) {
    if (!state.prayers) return [];
    const found = state.prayers.days.find((d) => d.day === day);
    return found ? found.prayers : [];
  }
  async function loadPrayers() {
    const [times, overrides] = await Promise.all([call("GET", "prayer-times/"), call("GET", "prayer-time-overrides/")]);
    if (times.ok) state.prayers = times.data;
    if (overrides.ok) state.overrides = overrides.data.results;
  }
  const prayerHall = $("#prayer-hall");
  if (prayerHall) fillSelect(prayerHall, config.halls.map((h) => [h.id, h.name]), T.no_hall);
  let prayerDrawing = 0;
  function renderPrayers() {
    // A field removed while focused, or left after a refused entry was put back, still fires the
    // browser's own "change" on blur: only the panel drawn last, and only a new time, may save.
    const drawing = ++prayerDrawing;
    const box = $("#prayer-list");
    box.replaceChildren();
    if (!state.prayers || state.prayers.days.every((d) => !d.prayers.length)) { box.append(el("p", { text: T.no_prayer_times })); return; }
    for (const day of state.prayers.days) {
      const section = el("div", { class: "prayer-day" }, el("h3", { text: config.day_labels[day.day] }));
      for (const p of day.prayers) {
        const override = state.overrides.find((o) => o.day === day.day && o.prayer === p.prayer);
        const label = fmt(T.prayer_time_label, { prayer: p.label });
        const time = el("input", { type: "text", class: "clock", inputmode: "numeric", autocomplete: "off", dir: "ltr", size: 5,
          value: shown(hhmm(minutesOf(p.time))), "aria-label": label, disabled: !canEdit });
        time.addEventListener("change", async () => {
          if (drawing !== prayerDrawing) return;
          const at = clockMinutes(time.value);
          if (at === minutesOf(p.time)) return;
          if (at === null) {
            showRefusal({ data: { errors: [{ message: label + ": " + T.clock_invalid }] } });
            time.value = shown(hhmm(minutesOf(p.time)));
            return;
          }
          const result = await call("POST", "prayer-time-overrides/", { day: day.day, prayer: p.prayer, time: hhmm(at) });
          if (result.ok) showSaved(); else showRefusal(result);
          await reloadPrayers();
        });
        const row = el("div", { class: "prayer-row", "data-prayer": p.prayer, "data-day": day.day },
          el("span", { class: "prayer-name", text: p.label }), time,
          el("small", { text: p.source === "override" ? T.override : T.computed }),
          p.prayer_break_ids.length ? el("small", { text: "✓ " + T.covered }) : null);
        if (canEdit && override) {
          row.append(el("button", { type: "button", text: T.reset, onclick: async () => {
            const result = await call("DELETE", `prayer-time-overrides/${override.id}/`);
            if (result.ok) showSaved(); else showRefusal(result);
            await reloadPrayers();
          } }));
        }
        if (canEdit && !p.prayer_break_ids.length) {
          row.append(el("button", { type: "button", text: T.insert_break, "data-testid": `insert-break-${day.day}-${p.prayer}`, onclick: async () => {
            const hall = prayerHall.value ? Number(prayerHall.value) : null;
            const result = await call("POST", "prayer-breaks/", { day: day.day, prayer: p.prayer, hall });
            if (result.ok) showSaved(result.data.conflicts); else showRefusal(result);
            await reloadPrayers();
          } }));
        }
        section.append(row);
      }
      box.append(section);
    }
  }
  async function reloadPrayers() {
    await loadPrayers();
    renderPrayers();
    await refresh();
  }

  // ---- versions and publishing ----------------------------------------------------------------
  async function loadVersions() {
    // Hijri beside Gregorian and a 24-hour time, at the forum (not in the browser's time zone).
    function publishedWhen(iso) {
      const date = new Date(iso), lang = (config.language || "ar").indexOf("en") === 0 ? "en-GB" : "ar";
      const zone = { timeZone: config.forum.time_zone };
      try {
        const hijri = new Intl.DateTimeFormat(lang + "-u-ca-islamic-umalqura-nu-latn", { day: "numeric", month: "long", year: "numeric", ...zone }).format(date);
        const greg = new Intl.DateTimeFormat(lang + "-u-ca-gregory-nu-latn", { day: "numeric", month: "long", year: "numeric", ...zone }).format(date);
        const time = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", ...zone }).format(date);
        return shown(`${hijri} — ${greg} ${time}`);
      } catch (e) { return date.toLocaleString(config.language); }
    }
    const result = await call("GET", "schedule-versions/");
    const box = $("#versions-list");
    box.replaceChildren();
    if (!result.ok) return;
    if (!result.data.results.length) { box.append(el("p", { text: T.no_versions })); return; }
    for (const v of result.data.results) {
      const when = publishedWhen(v.published_at);
      const entries = v.changelog.length ? el("ul", {}, ...v.changelog.map((e) => el("li", { "data-type": e.type, text: e.text }))) : el("p", { text: T.first_version });
      box.append(el("div", { class: "version", "data-version": v.number }, el("h3", { text: `${fmt(T.version, { number: v.number })} — ${when}` }), entries));
    }
  }
  if ($("#publish")) $("#publish").addEventListener("click", async () => {
    if (!window.confirm(T.publish_confirm)) return;
    const result = await call("POST", "publish/");
    if (result.ok) { clearAlert(); statusBox.replaceChildren(el("span", { "data-testid": "published", text: fmt(T.published, { number: result.data.number }) })); }
    else showRefusal(result);
    await loadVersions();
  });

  // ---- copy to a new edition ------------------------------------------------------------------
  const copyDialog = $("#copy-dialog");
  if ($("#copy-edition")) {
    $("#copy-edition").addEventListener("click", () => copyDialog.showModal());
    $("#copy-close").addEventListener("click", () => copyDialog.close());
    $("#copy-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const result = await call("POST", "copy-edition/", {
        slug: $("#copy-slug").value.trim(), first_day: $("#copy-first-day").value, title_ar: $("#copy-title-ar").value,
      });
      if (!result.ok) { showRefusal(result, $("#copy-errors")); return; }
      copyDialog.close();
      // The API answers in the language this page sent, so the link already carries its prefix.
      statusBox.replaceChildren(el("span", { text: T.copied + " " }), el("a", { href: result.data.builder_url, text: T.open_builder }));
    });
  }

  // ---- start ----------------------------------------------------------------------------------
  if (!canEdit) statusBox.textContent = T.read_only;
  (async function start() {
    await loadPrayers();
    renderPrayers();
    await refresh();
    await loadVersions();
    grid.dataset.ready = "1";
  })();
})();
