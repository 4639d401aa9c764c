/* Check-in scanner: keyboard-wedge input (the code "typed" plus Enter), the
   camera through BarcodeDetector where the browser has it, and an offline mode
   that checks the Ed25519 signature here with the forum's public key, queues
   the scans in localStorage and uploads them when the network is back.
   Vanilla JS, no build step. The token format is described in signing.py. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("scanner-config").textContent);
  var form = document.getElementById("scan-form");
  var input = document.getElementById("token");
  var select = document.getElementById("checkpoint");
  var resultBox = document.getElementById("result");
  var networkStatus = document.getElementById("network-status");
  var queueStatus = document.getElementById("queue-status");
  var conflictsBox = document.getElementById("conflicts");
  var store = "badges:" + config.forum + ":";
  var online = navigator.onLine !== false;

  function csrfToken() {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function load(name, fallback) {
    try { var v = localStorage.getItem(store + name); return v ? JSON.parse(v) : fallback; } catch (e) { return fallback; }
  }
  function save(name, value) {
    try { localStorage.setItem(store + name, JSON.stringify(value)); } catch (e) { /* storage full: keep going */ }
  }

  function nonce() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  // ---- Sound ------------------------------------------------------------------
  var audio = null;
  function beep(ok) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var tones = ok ? [[880, 0, 0.12]] : [[220, 0, 0.18], [220, 0.25, 0.18]];
      tones.forEach(function (t) {
        var osc = audio.createOscillator(), gain = audio.createGain();
        osc.frequency.value = t[0];
        osc.type = ok ? "sine" : "square";
        gain.gain.value = 0.15;
        osc.connect(gain); gain.connect(audio.destination);
        osc.start(audio.currentTime + t[1]); osc.stop(audio.currentTime + t[1] + t[2]);
      });
    } catch (e) { /* no audio: the colour still tells */ }
  }

  // ---- Showing a result -----------------------------------------------------
  function show(result) {
    var outcome = result.outcome;
    var kind = outcome === "admitted" ? "ok" : (outcome === "already_admitted" ? "warn" : "bad");
    resultBox.className = "scan-result scan-result--" + kind;
    resultBox.dataset.outcome = outcome;
    resultBox.querySelector("[data-testid=scan-outcome]").textContent = config.outcomes[outcome] || result.message || outcome;  // the page's language; the API answers in Arabic
    var person = result.registration;
    var name = resultBox.querySelector("[data-testid=scan-name]");
    var category = resultBox.querySelector("[data-testid=scan-category]");
    var lang = document.documentElement.lang || "ar";
    name.textContent = person ? ((lang.indexOf("en") === 0 && person.name_en) ? person.name_en : person.name_ar) : "";
    category.textContent = person ? (person.category_label || person.category || "") : "";
    category.style.setProperty("--category-color", person && person.color ? person.color : "transparent");
    var detail = [];
    if (result.admission && outcome === "already_admitted") {
      var at = new Date(result.admission.at);
      detail.push(config.outcomes.already_admitted + " " + config.text.at + " " +
        clock(at, lang) + " — " + checkpointName(result.admission.checkpoint));
    }
    if (result.offline) { detail.push(result.unverified ? config.text.unverified : config.text.checkedOffline); }
    resultBox.querySelector("[data-testid=scan-detail]").textContent = detail.join(" · ");
    beep(kind === "ok");
  }

  function checkpointName(checkpoint) {
    var option = select.querySelector("option[value='" + checkpoint.id + "']");
    return option ? option.textContent.trim() : checkpoint.name;
  }

  // 24-hour time at the forum (not the device's zone), with the page's digits, as on the agenda.
  function clock(date, lang) {
    var locale = lang.indexOf("ar") === 0 ? "ar-SA-u-nu-arab" : "en-GB";
    try {
      return new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", hourCycle: "h23",
                                               timeZone: config.timeZone }).format(date);
    } catch (e) { return date.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" }); }
  }

  // ---- Base45 and the token ---------------------------------------------------
  var B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
  function b45decode(text) {
    var out = [];
    for (var i = 0; i < text.length; i += 3) {
      var c = B45.indexOf(text[i]), d = B45.indexOf(text[i + 1]);
      if (c < 0 || d < 0) { return null; }
      if (i + 2 < text.length) {
        var e = B45.indexOf(text[i + 2]);
        if (e < 0) { return null; }
        var n = c + d * 45 + e * 2025;
        if (n > 0xffff) { return null; }
        out.push(n >> 8, n & 0xff);
      } else {
        var m = c + d * 45;
        if (m > 0xff) { return null; }
        out.push(m);
      }
    }
    return new Uint8Array(out);
  }

  function parse(token) {
    var raw = b45decode(token);
    if (!raw || raw.length !== 87 || raw[0] !== 1) { return null; }
    var view = new DataView(raw.buffer);
    return {
      keyId: raw[1], forumId: view.getUint32(2), registrationId: view.getUint32(6), badgeId: view.getUint32(10),
      category: raw[14], validFrom: view.getUint32(15) * 1000, validUntil: view.getUint32(19) * 1000,
      payload: raw.slice(0, 23), signature: raw.slice(23)
    };
  }

  function b64urlBytes(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var bin = atob(b64), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
    return bytes;
  }

  var keyObjects = {};
  function verify(claims) {
    var keys = load("keys", []);
    var key = keys.filter(function (k) { return k.key_id === claims.keyId; })[0];
    if (!key || !(window.crypto && crypto.subtle)) { return Promise.resolve(null); }
    var imported = keyObjects[key.key_id] || crypto.subtle.importKey("raw", b64urlBytes(key.public_key), { name: "Ed25519" }, false, ["verify"]);
    keyObjects[key.key_id] = imported;
    return imported.then(function (k) {
      return crypto.subtle.verify({ name: "Ed25519" }, k, claims.signature, claims.payload);
    }).catch(function () { return null; });  // no Ed25519 in this browser: cannot tell
  }

  // Decide offline what the server would: signature, forum, validity, revocation, duplicate.
  function checkOffline(token, checkpointId) {
    var claims = parse(token);
    if (!claims) { return Promise.resolve({ outcome: "invalid_signature" }); }
    return verify(claims).then(function (valid) {
      if (valid === false) { return { outcome: "invalid_signature" }; }
      var roster = load("roster", {});
      var row = roster[String(claims.registrationId)];
      var person = row ? { name_ar: row[0], name_en: row[1], category: row[2], category_label: config.categories[row[2]] || row[2], color: row[3] } : null;
      if (claims.forumId !== config.forumId) { return { outcome: "wrong_forum" }; }
      var now = Date.now();
      if (now < claims.validFrom) { return { outcome: "not_yet_valid", registration: person }; }
      if (now > claims.validUntil) { return { outcome: "expired", registration: person }; }
      if (load("revoked", []).indexOf(claims.badgeId) >= 0) { return { outcome: "revoked", registration: person }; }
      var seen = load("seen", {});
      var scope = checkpointScope(checkpointId);
      var key = claims.registrationId + "@" + scope;
      if (seen[key]) {
        return { outcome: "already_admitted", registration: person,
                 admission: { at: seen[key].at, checkpoint: { name: seen[key].checkpoint } } };
      }
      seen[key] = { at: new Date().toISOString(), checkpoint: select.options[select.selectedIndex].text };
      save("seen", seen);
      // valid === null: this browser has no Ed25519; admit on the other checks and let the upload decide.
      return { outcome: "admitted", registration: person, unverified: valid === null };
    });
  }

  function checkpointScope(checkpointId) {
    var option = select.querySelector("option[value='" + checkpointId + "']");
    // The door admits once a day, the forum's day (as the server counts it), not the device's.
    var day;
    try { day = new Intl.DateTimeFormat("en-CA", { timeZone: config.timeZone }).format(new Date()); }
    catch (e) { day = new Date().toISOString().slice(0, 10); }
    return option && option.dataset.kind === "session" ? "s" + checkpointId : "door:" + day;
  }

  // ---- Network ------------------------------------------------------------------
  function api(url, body) {
    return fetch(url, {
      method: body ? "POST" : "GET",
      credentials: "same-origin",
      // The API has no language prefix: ask for the page's language so messages match the screen.
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), "Accept": "application/json",
                 "Accept-Language": document.documentElement.lang || "ar" },
      body: body ? JSON.stringify(body) : undefined
    }).then(function (response) {
      if (response.status >= 500) { throw new Error("server " + response.status); }
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    });
  }

  function setOnline(value) {
    online = value;
    networkStatus.textContent = value ? config.text.online : config.text.offline;
    networkStatus.classList.toggle("scanner__status--offline", !value);
    networkStatus.dataset.online = value ? "1" : "0";
  }

  function refreshOfflineData() {
    return Promise.all([
      api(config.api.keys).then(function (r) { if (r.status === 200) { save("keys", r.data.keys); } }),
      api(config.api.revocations).then(function (r) { if (r.status === 200) { save("revoked", r.data.revoked_badges); } }),
      api(config.api.roster).then(function (r) { if (r.status === 200) { save("roster", r.data.registrations); } })
    ]).then(function () { setOnline(true); }, function () { setOnline(false); });
  }

  function refreshCounters() {
    api(config.api.counters).then(function (r) {
      if (r.status !== 200) { return; }
      r.data.checkpoints.forEach(function (c) {
        var item = document.querySelector("#counters li[data-checkpoint='" + c.id + "'] strong");
        if (item) { item.textContent = config.digits === "arab" ? String(c.admitted).replace(/[0-9]/g, function (d) { return "٠١٢٣٤٥٦٧٨٩"[d]; }) : String(c.admitted); }
      });
      setOnline(true);
    }, function () { setOnline(false); });
  }

  function markCurrentCheckpoint() {
    document.querySelectorAll("#counters li").forEach(function (li) {
      li.classList.toggle("is-current", li.dataset.checkpoint === select.value);
    });
    save("checkpoint", select.value);
  }

  // ---- The queue of offline scans ------------------------------------------------
  function queueShow() {
    var queue = load("queue", []);
    queueStatus.textContent = queue.length ? config.text.queued + ": " + queue.length : "";
    queueStatus.dataset.count = String(queue.length);
  }

  var uploading = false;
  function upload() {
    var queue = load("queue", []);
    if (uploading || !queue.length) { return Promise.resolve(); }
    uploading = true;
    var batch = queue.slice(0, 200);
    return api(config.api.batch, { scans: batch }).then(function (r) {
      if (r.status !== 200) { throw new Error("upload refused " + r.status); }
      var done = {};
      r.data.results.forEach(function (res) { done[res.client_nonce] = true; });
      save("queue", load("queue", []).filter(function (item) { return !done[item.client_nonce]; }));
      var conflicts = r.data.results.filter(function (res) { return res.conflict; });
      if (conflicts.length) {
        conflictsBox.hidden = false;
        var list = conflictsBox.querySelector("ul");
        conflicts.forEach(function (c) {
          var li = document.createElement("li");
          var who = c.registration ? (c.registration.name_ar + " (" + c.registration.reference + ")") : c.client_nonce;
          li.textContent = who + ": " + c.message;
          list.appendChild(li);
        });
      }
      setOnline(true);
    }).catch(function () { setOnline(false); }).then(function () { uploading = false; queueShow(); });
  }

  // ---- One scan -------------------------------------------------------------------
  var lastToken = "", lastAt = 0;
  function scan(token) {
    token = (token || "").trim().toUpperCase();
    if (!token) { return; }
    if (!select.value) { show({ outcome: "invalid_signature", message: config.text.noCheckpoint }); return; }
    var item = { token: token, checkpoint: Number(select.value), client_nonce: nonce(), client_scanned_at: new Date().toISOString() };
    var offline = function () {
      setOnline(false);
      return checkOffline(token, select.value).then(function (local) {
        item.local_outcome = local.outcome;
        var queue = load("queue", []);
        queue.push(item);
        save("queue", queue);
        queueShow();
        local.offline = true;
        show(local);
      });
    };
    if (!online && navigator.onLine === false) { return offline(); }
    return api(config.api.scan, item).then(function (r) {
      if (r.status === 200) {
        setOnline(true);
        rememberSeen(r.data);
        show(r.data);
        if (r.data.outcome === "admitted") { refreshCounters(); }
      } else {
        var message = r.data.detail || Object.keys(r.data).map(function (k) { return r.data[k]; }).join(" ");
        show({ outcome: "invalid_signature", message: message });
      }
    }, offline);
  }

  // What the server admitted is remembered, so a later offline scan of the same badge is caught here.
  function rememberSeen(result) {
    if (!result.registration || !result.admission) { return; }
    var seen = load("seen", {});
    seen[result.registration.id + "@" + checkpointScope(String(result.checkpoint))] = {
      at: result.admission.at, checkpoint: result.admission.checkpoint.name
    };
    save("seen", seen);
  }

  // A keyboard-wedge scanner "presses keys". With an Arabic keyboard layout
  // active those keys would arrive as Arabic letters, so the physical key
  // (event.code, US layout) is read instead whenever the character is not one
  // a badge code can contain.
  var SHIFTED = { Digit4: "$", Digit5: "%", Digit8: "*", Equal: "+", Semicolon: ":" };
  var PLAIN = { Minus: "-", Period: ".", Slash: "/", Space: " " };
  input.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey || event.key.length !== 1) { return; }
    if (B45.indexOf(event.key.toUpperCase()) >= 0) { return; }
    var code = event.code || "", ch = "";
    var letter = /^Key([A-Z])$/.exec(code), digit = /^(?:Digit|Numpad)([0-9])$/.exec(code);
    if (letter) { ch = letter[1]; }
    else if (event.shiftKey && SHIFTED[code]) { ch = SHIFTED[code]; }
    else if (digit) { ch = digit[1]; }
    else if (PLAIN[code]) { ch = PLAIN[code]; }
    if (!ch) { return; }
    event.preventDefault();
    var start = input.selectionStart, end = input.selectionEnd;
    input.value = input.value.slice(0, start) + ch + input.value.slice(end);
    input.selectionStart = input.selectionEnd = start + 1;
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var token = input.value;
    input.value = "";
    scan(token);
    input.focus();
  });
  select.addEventListener("change", function () { markCurrentCheckpoint(); input.focus(); });
  window.addEventListener("online", function () { setOnline(true); upload(); });
  window.addEventListener("offline", function () { setOnline(false); });

  // ---- Camera (BarcodeDetector) ------------------------------------------------------
  if ("BarcodeDetector" in window) {
    var button = document.getElementById("camera-button");
    var video = document.getElementById("camera");
    button.hidden = false;
    button.addEventListener("click", function () {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        video.play();
        var tick = function () {
          detector.detect(video).then(function (codes) {
            var now = Date.now();
            if (codes.length) {
              var value = codes[0].rawValue;
              if (value !== lastToken || now - lastAt > 4000) { lastToken = value; lastAt = now; scan(value); }
            }
          }).catch(function () {}).then(function () { setTimeout(tick, 250); });
        };
        tick();
      }).catch(function () { button.hidden = true; });
    });
  }

  // ---- Start ---------------------------------------------------------------------------
  var saved = load("checkpoint", "");
  if (saved && select.querySelector("option[value='" + saved + "']")) { select.value = saved; }
  markCurrentCheckpoint();
  queueShow();
  refreshOfflineData().then(upload);
  setInterval(function () { refreshCounters(); upload(); }, 10000);
  setInterval(refreshOfflineData, 120000);
  window.badgeScanner = { scan: scan, upload: upload, parse: parse, verify: verify, checkOffline: checkOffline };
})();
