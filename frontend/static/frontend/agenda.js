/* The agenda's few scripts: instant filters and "my agenda" stars (with clashes).
   Everything works without them: the filter form submits, and pages are server-rendered. */
(function () {
  "use strict";
  var ARABIC = "٠١٢٣٤٥٦٧٨٩";
  function digits(text, style) {
    return style === "arab" ? String(text).replace(/[0-9]/g, function (d) { return ARABIC[+d]; }) : String(text);
  }
  // The same folding as frontend.formatting.search_normalize.
  function normalize(text) {
    return String(text || "").toLowerCase().replace(/[\u064B-\u0652\u0640]/g, "")
      .replace(/[أإآٱ]/g, "ا").replace(/ى/g, "ي").replace(/ة/g, "ه");
  }
  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, k) { return values[k] == null ? "" : values[k]; });
  }

  // ---- filters -------------------------------------------------------------
  var form = document.querySelector("[data-filters]");
  if (form && !form.hasAttribute("data-server-filtered")) {
    var count = document.querySelector("[data-count]");
    var noMatch = document.querySelector("[data-no-match]");
    var apply = function () {
      var data = new FormData(form);
      var day = data.get("day") || "", hall = data.get("hall") || "", track = data.get("track") || "";
      var kind = data.get("type") || "", q = normalize(String(data.get("q") || "").trim());
      var shown = 0;
      document.querySelectorAll("li.session").forEach(function (li) {
        var ok = (!day || li.dataset.day === day) && (!hall || li.dataset.hall === hall) &&
          (!track || li.dataset.track === track) && (!kind || li.dataset.kind === kind) &&
          (!q || (li.dataset.search || "").indexOf(q) !== -1);
        li.hidden = !ok;
        if (ok) { shown += 1; }
      });
      document.querySelectorAll("section.day").forEach(function (section) {
        section.hidden = !section.querySelector("li.session:not([hidden])");
      });
      if (count) { count.textContent = fill(count.dataset.template, { count: digits(shown, count.dataset.digits) }); }
      if (noMatch) { noMatch.hidden = shown > 0; }
      var params = new URLSearchParams();
      data.forEach(function (value, key) { if (value) { params.set(key, value); } });
      var query = params.toString();
      history.replaceState(null, "", query ? "?" + query : location.pathname);
    };
    form.addEventListener("change", apply);
    var search = form.querySelector("[name=q]");
    if (search) { search.addEventListener("input", apply); }
    form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
    form.addEventListener("reset", function () { setTimeout(apply, 0); });
  }

  // ---- stars -----------------------------------------------------------------
  var root = document.querySelector(".js-stars-root");
  if (!root) { return; }
  var slug = root.dataset.forum;
  var signedIn = root.dataset.signedIn === "1";
  var key = "forum-stars:" + slug;
  var api = "/api/v1/forums/" + slug + "/starred/";
  var myAgenda = root.hasAttribute("data-my-agenda");
  var stars = new Set();
  try { JSON.parse(localStorage.getItem(key) || "[]").forEach(function (id) { stars.add(String(id)); }); } catch (e) { /* fresh start */ }
  if (root.dataset.starred) { root.dataset.starred.split(",").forEach(function (id) { if (id) { stars.add(id); } }); }

  function csrf() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) { return decodeURIComponent(match[1]); }
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function remote(method, url, body) {
    if (!signedIn) { return Promise.resolve(null); }
    return fetch(url, {
      method: method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), "Accept": "application/json" },
      body: body ? JSON.stringify(body) : undefined
    }).then(function (r) { return r.ok && r.status !== 204 ? r.json() : null; }).catch(function () { return null; });
  }
  function save() { localStorage.setItem(key, JSON.stringify(Array.from(stars))); }

  if (myAgenda) {
    // Cards of sessions not starred on the server wait in <template>s; put them in the list, hidden.
    root.querySelectorAll("template[data-later]").forEach(function (tpl) {
      var node = tpl.content.firstElementChild.cloneNode(true);
      tpl.replaceWith(node);
    });
  }

  function cards() { return Array.prototype.slice.call(root.querySelectorAll("[data-session][data-start]")); }

  function render() {
    root.querySelectorAll("[data-star]").forEach(function (button) {
      var on = stars.has(button.dataset.star);
      button.hidden = false;
      button.setAttribute("aria-pressed", on ? "true" : "false");
      var label = button.querySelector(".star__label");
      if (label) { label.textContent = on ? label.dataset.on : label.dataset.off; }
      var icon = button.querySelector(".star__icon");
      if (icon) { icon.textContent = on ? "★" : "☆"; }
    });
    var chosen = cards().filter(function (el) { return stars.has(el.dataset.session) && !el.dataset.cancelled; });
    var clashing = new Set();
    var pairs = [];
    for (var i = 0; i < chosen.length; i += 1) {
      for (var j = i + 1; j < chosen.length; j += 1) {
        var a = chosen[i], b = chosen[j];
        if (a.dataset.session === b.dataset.session) { continue; }
        if (new Date(a.dataset.start) < new Date(b.dataset.end) && new Date(b.dataset.start) < new Date(a.dataset.end)) {
          clashing.add(a.dataset.session); clashing.add(b.dataset.session);
          pairs.push([a.dataset.title, b.dataset.title]);
        }
      }
    }
    cards().forEach(function (el) {
      var clash = clashing.has(el.dataset.session);
      el.classList.toggle("session--clash", clash);
      var flag = el.querySelector("[data-clash]");
      if (flag) { flag.hidden = !clash; }
      if (myAgenda) { el.hidden = !stars.has(el.dataset.session); }
    });
    var notice = document.querySelector("[data-clash-notice]");
    if (notice) {
      notice.textContent = "";
      pairs.forEach(function (pair) {
        var p = document.createElement("p");
        p.textContent = fill(notice.dataset.template, { a: pair[0], b: pair[1] });
        notice.appendChild(p);
      });
      notice.hidden = pairs.length === 0;
    }
    if (myAgenda) {
      var empty = root.querySelector("[data-empty]");
      if (empty) { empty.hidden = stars.size > 0; }
      var link = root.querySelector("[data-ics-mine]");
      if (link) {
        var ids = Array.from(stars).sort(function (x, y) { return x - y; }).join(",");
        link.href = link.href.split("?")[0] + (ids ? "?ids=" + ids : "");
      }
    }
  }

  root.addEventListener("click", function (event) {
    var button = event.target.closest("[data-star]");
    if (!button) { return; }
    var id = button.dataset.star;
    if (stars.has(id)) {
      stars.delete(id);
      remote("DELETE", api + id + "/");
    } else {
      stars.add(id);
      remote("POST", api, { session_id: Number(id) });
    }
    save();
    render();
  });

  render();
  if (signedIn) {
    // Merge: the account's stars and this browser's, kept in both.
    remote("GET", api).then(function (data) {
      if (!data) { return; }
      var server = new Set((data.session_ids || []).map(String));
      stars.forEach(function (id) { if (!server.has(id)) { remote("POST", api, { session_id: Number(id) }); } });
      server.forEach(function (id) { stars.add(id); });
      save();
      render();
    });
  }
})();
