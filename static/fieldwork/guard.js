/* Keeps a lost or shared phone from holding a child's data: on every signed-in page, the
 * offline store is wiped when another user signed in, when its caseload has not been
 * refreshed for the county's number of days, and when the person signs out. */
(function () {
  "use strict";
  const script = document.currentScript;
  const user = script ? script.dataset.user : "";
  const DAY = 24 * 60 * 60 * 1000;

  async function check() {
    const S = window.FieldStore;
    if (!S || !window.indexedDB || !(await S.exists())) return "empty";
    const owner = await S.getMeta("user");
    if (owner !== undefined && String(owner) !== String(user)) {
      await S.wipe();
      return "other-user";
    }
    const refreshed = await S.getMeta("refreshed_at");
    const days = (await S.getMeta("max_days")) || 7;
    if (refreshed && Date.now() - refreshed > days * DAY) {
      await S.wipe();
      return "stale";
    }
    return "kept";
  }

  const ready = check().catch(() => "error");
  window.FieldGuard = {ready, user};

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches("[data-logout], form[action$='/logout/']")) return;
    if (form.dataset.wiped) return;
    event.preventDefault();
    const done = () => { form.dataset.wiped = "1"; form.submit(); };
    (window.FieldStore ? window.FieldStore.wipe() : Promise.resolve()).then(done, done);
  }, true);
})();
