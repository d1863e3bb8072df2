/* 离线外勤: the offline app. The caseload and the queue live encrypted in IndexedDB
 * (store.js); entries are sent one by one, in order, when the connection returns or on the
 * button; the server checks each again and answers created, duplicate, refused (kept here
 * with its message) or conflict (both sides changed a field: the person chooses).
 * Everything from the server or the person is written with textContent, never as HTML. */
(function () {
  "use strict";
  const root = document.getElementById("fieldwork");
  if (!root) return;
  const S = window.FieldStore;
  const defs = JSON.parse(document.getElementById("fw-definitions").textContent);
  const TEXT = {};
  document.getElementById("fw-text").content.querySelectorAll("[data-key]").forEach((el) => {
    TEXT[el.dataset.key] = el.textContent;
  });
  const t = (key, vars) => (TEXT[key] || key).replace(/%\((\w+)\)s/g,
    (_m, name) => (vars && name in vars ? String(vars[name]) : ""));
  const $ = (id) => document.getElementById(id);
  const userId = root.dataset.user;
  const PHOTO_SIDE = 1600;
  let caseload = null;
  let current = null;
  let syncing = null;

  // --- small helpers ------------------------------------------------------------------------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (name === "class") node.className = value;
      else if (name === "text") node.textContent = value;
      else if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  function today() {
    const d = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  }

  function when(ms) {
    return ms ? new Date(ms).toLocaleString("zh-CN", {hour12: false}) : "";
  }

  function csrf() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function message(text, tone) {
    const box = $("fw-message");
    box.textContent = text || "";
    box.className = "small mt-2" + (tone ? ` text-${tone}` : "");
  }

  function show(view) {
    document.querySelectorAll("#fieldwork .fw-view").forEach((section) => {
      section.hidden = section.id !== view;
    });
    window.scrollTo(0, 0);
  }

  function childById(id) {
    return caseload ? caseload.children.find((c) => c.id === Number(id)) : null;
  }

  // --- status -------------------------------------------------------------------------------

  async function renderStatus() {
    const online = navigator.onLine;
    const badge = $("fw-online");
    badge.textContent = online ? t("online") : t("offline");
    badge.className = "badge " + (online ? "text-bg-success" : "text-bg-warning");
    let list = [];
    try { list = await S.entries(); } catch (e) { list = []; }
    const refused = list.filter((e) => e.status !== "pending").length;
    let text = t("pending", {n: list.length});
    if (refused) text += "（" + t("refused", {n: refused}) + "）";
    $("fw-pending").textContent = text;
    root.dataset.pending = String(list.length);
    const last = await S.getMeta("last_sync");
    $("fw-last-sync").textContent = last ? t("last_sync", {t: when(last)}) : t("never");
    const refreshed = await S.getMeta("refreshed_at");
    $("fw-refreshed").textContent = refreshed ? t("refreshed", {t: when(refreshed)}) : t("no_caseload");
    return list;
  }

  // --- the caseload -------------------------------------------------------------------------

  function line(label, value) {
    return el("div", {class: "small"}, el("span", {class: "text-muted", text: label + "："}),
      el("span", {text: value || t("none")}));
  }

  function renderCaseload() {
    const box = $("fw-children");
    box.replaceChildren();
    const children = caseload ? caseload.children : [];
    const query = $("fw-search").value.trim();
    $("fw-empty").hidden = children.length > 0;
    for (const child of children) {
      if (query && !child.name.includes(query)) continue;
      const card = el("article", {class: "list-card fw-child", "data-child": child.id});
      card.append(el("h3", {class: "h6 mb-1", text: child.name}));
      card.append(el("div", {class: "small text-muted",
        text: [child.sex, t("age", {n: child.age}), child.village].join(" · ")}));
      card.append(line(t("risk"), child.risk_label));
      card.append(line(t("guardian"),
        [child.guardian_name, child.guardian_relation, child.guardian_phone].filter(Boolean).join(" ")));
      card.append(line(t("last_visit"), child.last_visit_date));
      const next = line(t("next_visit"), child.next_visit_due + (child.visit_overdue ? `（${t("overdue")}）` : ""));
      if (child.visit_overdue) next.classList.add("text-danger");
      card.append(next);
      if (child.open_alerts.length) {
        card.append(line(t("alerts"), child.open_alerts.map((a) => a.kind).join("、")));
      }
      if (child.care_plans.length) {
        card.append(line(t("plans"), child.care_plans.map((p) => p.goals).join("；")));
      }
      if (child.pairings.length) {
        card.append(line(t("pairings"),
          child.pairings.map((p) => `${p.mentor}（${p.mentor_kind}）${p.next_follow_up_on || ""}`).join("；")));
      }
      const actions = el("div", {class: "d-flex flex-wrap gap-2 mt-2"});
      actions.append(el("button", {type: "button", class: "btn btn-primary", "data-action": "visit",
        text: t("visit")}));
      if (defs.instruments.length) {
        actions.append(el("button", {type: "button", class: "btn btn-outline-primary",
          "data-action": "screening", text: t("screening")}));
      }
      for (const pairing of child.pairings) {
        actions.append(el("button", {type: "button", class: "btn btn-outline-primary",
          "data-action": "follow_up", "data-pairing": pairing.id,
          text: `${t("follow_up")}：${pairing.mentor}`}));
      }
      if (child.editable_visit) {
        actions.append(el("button", {type: "button", class: "btn btn-outline-secondary",
          "data-action": "visit_edit", text: `${t("visit_edit")}（${child.editable_visit.values.date}）`}));
      }
      card.append(actions);
      box.append(card);
    }
  }

  async function refreshCaseload({quiet} = {}) {
    if (!navigator.onLine) return false;
    let response;
    try {
      response = await fetch(root.dataset.caseloadUrl, {
        credentials: "same-origin", headers: {Accept: "application/json"}, cache: "no-store",
      });
    } catch (e) {
      if (!quiet) message(t("sync_failed"), "warning");
      return false;
    }
    if (response.redirected || !(response.headers.get("Content-Type") || "").includes("json")) {
      message(t("signed_out"), "danger");
      return false;
    }
    if (!response.ok) return false;
    const data = await response.json();
    if (String(data.user) !== String(userId)) return false;
    await S.setMeta("user", data.user);
    await S.saveCaseload(data);
    await S.setMeta("refreshed_at", Date.now());
    await S.setMeta("max_days", data.max_days_unrefreshed);
    caseload = data;
    renderCaseload();
    await renderStatus();
    if (!quiet) message(t("refreshed_ok"), "success");
    return true;
  }

  // --- forms --------------------------------------------------------------------------------

  function showErrors(form, errors) {
    const box = form.querySelector(".fw-errors");
    box.replaceChildren();
    const messages = Object.values(errors || {}).flat();
    box.hidden = messages.length === 0;
    for (const text of messages) box.append(el("div", {text}));
    form.querySelectorAll("[aria-invalid]").forEach((input) => input.removeAttribute("aria-invalid"));
    for (const name of Object.keys(errors || {})) {
      form.querySelectorAll(`[name="${name}"]`).forEach((input) => input.setAttribute("aria-invalid", "true"));
    }
    if (messages.length) box.focus && box.scrollIntoView({block: "center"});
  }

  function fill(form, values) {
    for (const [name, value] of Object.entries(values || {})) {
      const inputs = form.querySelectorAll(`[name="${name}"]`);
      inputs.forEach((input) => {
        if (input.type === "radio") input.checked = input.value === String(value);
        else if (input.type === "checkbox") {
          input.checked = Array.isArray(value) ? value.includes(input.value) : Boolean(value);
        } else input.value = value === null || value === undefined ? "" : value;
      });
    }
  }

  function visitValues(form) {
    const data = {};
    for (const input of form.querySelectorAll("input[name], textarea[name], select[name]")) {
      const name = input.name;
      if (input.type === "radio") { if (input.checked) data[name] = input.value; else if (!(name in data)) data[name] = ""; }
      else if (name === "problems") { data.problems = data.problems || []; if (input.checked) data.problems.push(input.value); }
      else if (input.type === "checkbox") data[name] = input.checked;
      else data[name] = input.value.trim();
    }
    return data;
  }

  function checkVisit(data) {
    const errors = {};
    const labels = defs.visit.labels;
    for (const name of ["date", "kind", "emotion_state", "study_state", "life_state", "safety_state"]) {
      if (!data[name]) errors[name] = [`${labels[name]}：${t("required")}`];
    }
    if (data.date && data.date > today()) errors.date = [`${labels.date}：${t("required")}`];
    if (data.follow_up_needed && !data.follow_up_note) {
      errors.follow_up_note = [`${labels.follow_up_note}：${t("required")}`];
    }
    return errors;
  }

  async function resizePhoto(file) {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, PHOTO_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close && bitmap.close();
    // Re-encoded here: smaller to keep and send, and without the photo's EXIF (GPS).
    return canvas.toDataURL("image/jpeg", 0.8);
  }

  let photos = [];
  async function onPhotos(event) {
    for (const file of event.target.files) {
      try { photos.push(await resizePhoto(file)); } catch (e) { /* not an image */ }
    }
    event.target.value = "";
    renderPreviews();
  }

  function renderPreviews() {
    const box = $("fw-v-previews");
    box.replaceChildren(...photos.map((src, index) => el("img", {src, alt: `${index + 1}`,
      class: "fw-preview rounded border"})));
  }

  function openVisit(child, {edit, entry} = {}) {
    const form = $("fw-visit-form");
    form.reset();
    showErrors(form, {});
    photos = entry && entry.photos ? entry.photos.slice() : [];
    renderPreviews();
    const kind = entry ? entry.kind : edit ? "visit_edit" : "visit";
    current = {kind, child, entry};
    document.querySelectorAll("#fw-visit-form .fw-new-only").forEach((node) => { node.hidden = kind === "visit_edit"; });
    $("fw-visit-title").firstChild.textContent = (kind === "visit_edit" ? t("visit_edit") : t("visit")) + "：";
    document.querySelectorAll("#fw-visit-view .fw-child-name").forEach((n) => { n.textContent = child ? child.name : entry.label; });
    if (entry) fill(form, entry.data);
    else if (kind === "visit_edit") fill(form, child.editable_visit.values);
    else fill(form, {date: today()});
    show("fw-visit-view");
    if (entry && entry.errors) showErrors(form, entry.errors);
  }

  function instrumentsFor(child) {
    return defs.instruments.filter((inst) => Object.values(inst.ages).some(([low, high]) =>
      child.age >= low && (high === null || child.age <= high)));
  }

  function renderRespondents(instrument, child, selected) {
    const select = $("fw-s-respondent");
    select.replaceChildren(...instrument.respondents
      .filter(([code]) => { const [low, high] = instrument.ages[code]; return child.age >= low && (high === null || child.age <= high); })
      .map(([code, label]) => el("option", {value: code, text: label, selected: code === selected ? "selected" : null})));
  }

  function renderItems(instrument, answers) {
    const box = $("fw-s-items");
    box.replaceChildren();
    if (instrument.instructions) box.append(el("p", {class: "small text-muted", text: instrument.instructions}));
    for (const item of instrument.items) {
      const set = el("fieldset", {class: "mb-3 fw-item", "data-item": item.number});
      set.append(el("legend", {class: "form-label fs-6", text: `${item.number}. ${item.text}`}));
      for (const [value, label] of item.options) {
        const id = `fw-s-${item.number}-${value}`;
        const input = el("input", {class: "form-check-input", type: "radio", name: `item_${item.number}`,
          id, value: String(value)});
        if (answers && String(answers[item.number]) === String(value)) input.checked = true;
        set.append(el("div", {class: "form-check"}, input, el("label", {class: "form-check-label", for: id, text: label})));
      }
      box.append(set);
    }
    checkCrisis();
  }

  function currentInstrument() {
    return defs.instruments.find((i) => i.code === $("fw-s-instrument").value);
  }

  function checkCrisis() {
    const instrument = currentInstrument();
    let crisis = false;
    if (instrument) {
      for (const number of instrument.crisis_items) {
        const checked = document.querySelector(`#fw-s-items input[name="item_${number}"]:checked`);
        if (checked && Number(checked.value) >= 1) crisis = true;
      }
    }
    $("fw-crisis").hidden = !crisis;
  }

  function openScreening(child, entry) {
    const form = $("fw-screening-form");
    form.reset();
    showErrors(form, {});
    current = {kind: "screening", child, entry};
    document.querySelectorAll("#fw-screening-view .fw-child-name").forEach((n) => { n.textContent = child ? child.name : entry.label; });
    const fitting = child ? instrumentsFor(child) : defs.instruments;
    const data = entry ? entry.data : {};
    $("fw-s-instrument").replaceChildren(...fitting.map((inst) =>
      el("option", {value: inst.code, text: inst.title, selected: inst.code === data.instrument ? "selected" : null})));
    $("fw-s-date").value = data.screened_on || today();
    const instrument = currentInstrument();
    if (instrument) {
      renderRespondents(instrument, child || {age: 12}, data.respondent);
      renderItems(instrument, data.answers);
    } else {
      $("fw-s-items").replaceChildren(el("p", {class: "text-muted", text: t("no_instrument")}));
      $("fw-s-respondent").replaceChildren();
    }
    show("fw-screening-view");
    if (entry && entry.errors) showErrors(form, entry.errors);
  }

  function openFollowUp(child, pairingId, entry) {
    const form = $("fw-followup-form");
    const byName = form.elements.by_name.defaultValue;
    form.reset();
    showErrors(form, {});
    current = {kind: "follow_up", child, pairing: pairingId, entry};
    document.querySelectorAll("#fw-followup-view .fw-child-name").forEach((n) => { n.textContent = child ? child.name : entry.label; });
    fill(form, entry ? entry.data : {followed_on: today(), by_name: byName});
    show("fw-followup-view");
    if (entry && entry.errors) showErrors(form, entry.errors);
  }

  async function queue(entry) {
    if (current.entry) {
      // A refused entry, corrected: the same key, back in line.
      const updated = {...current.entry, ...entry, key: current.entry.key, status: "pending",
        message: "", errors: null, conflicts: null};
      await S.putEntry(current.entry.id, updated);
    } else {
      await S.addEntry({...entry, key: crypto.randomUUID(), status: "pending",
        queued_at: new Date().toISOString()});
    }
    current = null;
    message(t("saved"), "success");
    show("fw-caseload-view");
    await renderStatus();
    if (navigator.onLine) syncNow();
  }

  async function submitVisit(event) {
    event.preventDefault();
    const form = event.target;
    const data = visitValues(form);
    const errors = checkVisit(data);
    if (Object.keys(errors).length) { showErrors(form, errors); return; }
    const {kind, child, entry} = current;
    const label = child ? child.name : entry.label;
    if (kind === "visit_edit") {
      delete data.problems;
      const visit = entry ? {id: entry.visit, version: entry.version, values: entry.base} : child.editable_visit;
      await queue({kind, visit: visit.id, version: visit.version, base: visit.values, data, label,
        child: child ? child.id : entry.child});
    } else {
      await queue({kind: "visit", child: child ? child.id : entry.child, data, photos, label});
    }
  }

  async function submitScreening(event) {
    event.preventDefault();
    const form = event.target;
    const instrument = currentInstrument();
    if (!instrument) return;
    const answers = {};
    const errors = {};
    for (const item of instrument.items) {
      const checked = form.querySelector(`input[name="item_${item.number}"]:checked`);
      if (checked) answers[item.number] = Number(checked.value);
      else if (item.required) errors[`item_${item.number}`] = [t("answer_all", {n: item.number})];
    }
    if (!$("fw-s-date").value) errors.screened_on = [t("required")];
    if (Object.keys(errors).length) { showErrors(form, errors); return; }
    const {child, entry} = current;
    await queue({kind: "screening", child: child ? child.id : entry.child,
      label: child ? child.name : entry.label,
      data: {instrument: instrument.code, respondent: $("fw-s-respondent").value,
        screened_on: $("fw-s-date").value, answers}});
  }

  async function submitFollowUp(event) {
    event.preventDefault();
    const form = event.target;
    const data = visitValues(form);
    const errors = {};
    for (const name of ["followed_on", "by_name", "condition"]) if (!data[name]) errors[name] = [t("required")];
    if (Object.keys(errors).length) { showErrors(form, errors); return; }
    const {child, pairing, entry} = current;
    await queue({kind: "follow_up", pairing: pairing || entry.pairing, child: child ? child.id : entry.child,
      label: child ? child.name : entry.label, data});
  }

  // --- the queue ----------------------------------------------------------------------------

  async function renderQueue() {
    const list = await S.entries();
    const box = $("fw-queue");
    box.replaceChildren();
    $("fw-queue-empty").hidden = list.length > 0;
    for (const entry of list) {
      const card = el("article", {class: "list-card fw-entry", "data-entry": entry.id, "data-status": entry.status});
      const badge = {pending: "text-bg-secondary", refused: "text-bg-danger", conflict: "text-bg-warning"}[entry.status];
      card.append(el("div", {class: "d-flex justify-content-between gap-2"},
        el("strong", {text: `${t(entry.kind)}：${entry.label || ""}`}),
        el("span", {class: `badge ${badge}`, text: t(`status_${entry.status}`)})));
      card.append(el("div", {class: "small text-muted", text: when(Date.parse(entry.queued_at))}));
      if (entry.message) card.append(el("div", {class: "small text-danger fw-entry-message", role: "alert", text: entry.message}));
      for (const text of Object.values(entry.errors || {}).flat()) {
        if (text !== entry.message) card.append(el("div", {class: "small text-danger", text}));
      }
      const actions = el("div", {class: "d-flex flex-wrap gap-2 mt-2"});
      if (entry.status === "refused") {
        actions.append(el("button", {type: "button", class: "btn btn-outline-primary", "data-fix": entry.id, text: t("fix")}));
      }
      if (entry.status === "conflict") {
        actions.append(el("button", {type: "button", class: "btn btn-warning", "data-resolve": entry.id, text: t("choose")}));
      }
      if (entry.status !== "pending") {
        actions.append(el("button", {type: "button", class: "btn btn-outline-danger", "data-discard": entry.id, text: t("discard")}));
      }
      card.append(actions);
      box.append(card);
    }
  }

  async function entryById(id) {
    return (await S.entries()).find((e) => e.id === Number(id));
  }

  async function fixEntry(id) {
    const entry = await entryById(id);
    if (!entry) return;
    const child = childById(entry.child);
    if (entry.kind === "visit" || entry.kind === "visit_edit") openVisit(child, {entry});
    else if (entry.kind === "screening") openScreening(child, entry);
    else openFollowUp(child, entry.pairing, entry);
  }

  async function openConflict(id) {
    const entry = await entryById(id);
    if (!entry) return;
    current = {kind: "conflict", entry};
    const box = $("fw-conflict-fields");
    box.replaceChildren();
    for (const conflict of entry.conflicts || []) {
      const set = el("fieldset", {class: "mb-3 fw-conflict", "data-field": conflict.field});
      set.append(el("legend", {class: "form-label fs-6 fw-semibold", text: conflict.label}));
      for (const side of ["mine", "theirs"]) {
        const id_ = `fw-c-${conflict.field}-${side}`;
        const input = el("input", {class: "form-check-input", type: "radio", name: conflict.field, id: id_, value: side});
        if (side === "mine") input.checked = true;
        set.append(el("div", {class: "form-check fw-side"}, input,
          el("label", {class: "form-check-label", for: id_},
            el("span", {class: "fw-side-label", text: `${t(side)}：`}),
            el("span", {class: "fw-side-value", text: conflict[`${side}_display`] || t("none")}))));
      }
      box.append(set);
    }
    show("fw-conflict-view");
  }

  async function submitConflict(event) {
    event.preventDefault();
    const entry = current && current.entry;
    if (!entry) return;
    const choices = {};
    for (const conflict of entry.conflicts || []) {
      const checked = event.target.querySelector(`input[name="${conflict.field}"]:checked`);
      choices[conflict.field] = checked ? checked.value : "mine";
    }
    const updated = {...entry, choices, choices_version: entry.version_seen, status: "pending", message: "", conflicts: null};
    delete updated.id;
    await S.putEntry(entry.id, updated);
    current = null;
    show("fw-caseload-view");
    await renderStatus();
    await syncNow();
  }

  // --- sync ---------------------------------------------------------------------------------

  async function send(entry) {
    const body = {...entry};
    for (const name of ["id", "label", "status", "message", "errors", "conflicts", "version_seen"]) delete body[name];
    const response = await fetch(root.dataset.syncUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf(), Accept: "application/json"},
      body: JSON.stringify(body),
    });
    const type = response.headers.get("Content-Type") || "";
    if (response.status === 404) return {status: "refused", message: t("not_found")};
    if (response.redirected || !type.includes("json")) {
      if (response.status >= 500) return {status: "retry"};
      return {status: "signed_out"};
    }
    const data = await response.json();
    if (response.status >= 500) return {status: "retry"};
    return data;
  }

  async function syncQueue() {
    if (!navigator.onLine) { message(t("sync_failed"), "warning"); return; }
    const list = (await S.entries()).filter((e) => e.status === "pending");
    let sent = 0;
    for (const entry of list) {
      let result;
      try { result = await send(entry); } catch (e) { message(t("sync_failed"), "warning"); break; }
      if (result.status === "retry") { message(t("sync_failed"), "warning"); break; }
      if (result.status === "signed_out") { message(t("signed_out"), "danger"); break; }
      const id = entry.id;
      if (["created", "duplicate", "updated", "unchanged"].includes(result.status)) {
        await S.removeEntry(id);
        sent += 1;
      } else if (result.status === "conflict") {
        const updated = {...entry, status: "conflict", message: result.message, conflicts: result.conflicts,
          version_seen: result.version};
        delete updated.id;
        await S.putEntry(id, updated);
      } else {
        const updated = {...entry, status: "refused", message: result.message || "", errors: result.errors || null};
        delete updated.id;
        await S.putEntry(id, updated);
      }
    }
    await S.setMeta("last_sync", Date.now());
    if (list.length) message(t("synced", {n: sent}), sent === list.length ? "success" : "warning");
    if (sent) await refreshCaseload({quiet: true});
    await renderStatus();
    if (!$("fw-queue-view").hidden) await renderQueue();
  }

  function syncNow() {
    if (!syncing) syncing = syncQueue().finally(() => { syncing = null; });
    return syncing;
  }

  // --- wiring -------------------------------------------------------------------------------

  root.addEventListener("click", async (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    if (button.classList.contains("fw-back")) { current = null; show("fw-caseload-view"); return; }
    const card = button.closest(".fw-child");
    if (card && button.dataset.action) {
      const child = childById(card.dataset.child);
      const action = button.dataset.action;
      if (action === "visit") openVisit(child);
      else if (action === "visit_edit") openVisit(child, {edit: true});
      else if (action === "screening") openScreening(child);
      else if (action === "follow_up") openFollowUp(child, Number(button.dataset.pairing));
      return;
    }
    if (button.dataset.fix) { await fixEntry(button.dataset.fix); return; }
    if (button.dataset.resolve) { await openConflict(button.dataset.resolve); return; }
    if (button.dataset.discard) {
      if (window.confirm(t("discard_confirm"))) {
        await S.removeEntry(Number(button.dataset.discard));
        await renderQueue();
        await renderStatus();
      }
    }
  });
  $("fw-sync").addEventListener("click", () => syncNow());
  $("fw-refresh").addEventListener("click", () => refreshCaseload());
  $("fw-show-queue").addEventListener("click", async () => { await renderQueue(); show("fw-queue-view"); });
  $("fw-search").addEventListener("input", renderCaseload);
  $("fw-visit-form").addEventListener("submit", submitVisit);
  $("fw-screening-form").addEventListener("submit", submitScreening);
  $("fw-followup-form").addEventListener("submit", submitFollowUp);
  $("fw-conflict-form").addEventListener("submit", submitConflict);
  $("fw-v-photos").addEventListener("change", onPhotos);
  $("fw-s-instrument").addEventListener("change", () => {
    const instrument = currentInstrument();
    const child = current && current.child;
    if (instrument) { renderRespondents(instrument, child || {age: 12}); renderItems(instrument); }
  });
  $("fw-s-items").addEventListener("change", checkCrisis);
  window.addEventListener("online", async () => { await renderStatus(); await syncNow(); await refreshCaseload({quiet: true}); });
  window.addEventListener("offline", () => renderStatus());

  async function start() {
    const guard = await (window.FieldGuard ? window.FieldGuard.ready : Promise.resolve("kept"));
    if (guard === "stale") message(t("cleared"), "warning");
    try { caseload = await S.loadCaseload(); } catch (e) { caseload = null; }
    if (caseload && String(caseload.user) !== String(userId)) caseload = null;
    renderCaseload();
    await renderStatus();
    if ("serviceWorker" in navigator) {
      try {
        await navigator.serviceWorker.register(root.dataset.swUrl, {scope: "/"});
        await navigator.serviceWorker.ready;
      } catch (e) { /* no offline shell: the page still works online */ }
    }
    if (navigator.onLine) {
      await refreshCaseload({quiet: true});
      await syncNow();
    }
    root.dataset.ready = "1";
  }
  start();
})();
