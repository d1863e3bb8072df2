/* The device's store for offline field work (IndexedDB), encrypted at rest.
 *
 * Everything of a child (the caseload, each queued entry and its photos) is sealed with
 * AES-GCM under a key made on this device by Web Crypto as non-extractable: script can use it
 * but nobody can read it out, and it lives only in this database. Wiping the database (at
 * logout, when another user signs in, when the caseload is too old) removes the key with
 * the data. Loaded on every signed-in page (guard.js uses it). */
(function () {
  "use strict";
  const NAME = "longsheng-fieldwork";
  const VERSION = 1;
  let opened = null;

  function open() {
    if (opened) return opened;
    opened = new Promise((resolve, reject) => {
      const request = indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta");
        if (!db.objectStoreNames.contains("sealed")) db.createObjectStore("sealed");
        if (!db.objectStoreNames.contains("queue")) {
          db.createObjectStore("queue", {keyPath: "id", autoIncrement: true});
        }
      };
      request.onsuccess = () => {
        const db = request.result;
        db.onversionchange = () => { db.close(); opened = null; };
        resolve(db);
      };
      request.onerror = () => { opened = null; reject(request.error); };
      request.onblocked = () => reject(new Error("blocked"));
    });
    return opened;
  }

  async function tx(store, mode, work) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(store, mode);
      const request = work(transaction.objectStore(store));
      transaction.oncomplete = () => resolve(request ? request.result : undefined);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  }

  async function exists() {
    if (indexedDB.databases) {
      const list = await indexedDB.databases();
      return list.some((db) => db.name === NAME);
    }
    return true;
  }

  function getMeta(name) {
    return tx("meta", "readonly", (store) => store.get(name));
  }

  function setMeta(name, value) {
    return tx("meta", "readwrite", (store) => store.put(value, name));
  }

  async function key() {
    let found = await getMeta("key");
    if (!found) {
      found = await crypto.subtle.generateKey({name: "AES-GCM", length: 256}, false,
        ["encrypt", "decrypt"]);
      await setMeta("key", found);
    }
    return found;
  }

  async function seal(value) {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const plain = new TextEncoder().encode(JSON.stringify(value));
    const data = await crypto.subtle.encrypt({name: "AES-GCM", iv}, await key(), plain);
    return {iv, data};
  }

  async function unseal(sealed) {
    if (!sealed) return null;
    const plain = await crypto.subtle.decrypt({name: "AES-GCM", iv: sealed.iv}, await key(),
      sealed.data);
    return JSON.parse(new TextDecoder().decode(plain));
  }

  async function saveCaseload(caseload) {
    const sealed = await seal(caseload);
    await tx("sealed", "readwrite", (store) => store.put(sealed, "caseload"));
  }

  async function loadCaseload() {
    const sealed = await tx("sealed", "readonly", (store) => store.get("caseload"));
    return unseal(sealed);
  }

  async function addEntry(entry) {
    const sealed = await seal(entry);
    return tx("queue", "readwrite",
      (store) => store.add({status: entry.status || "pending", sealed}));
  }

  async function putEntry(id, entry) {
    const sealed = await seal(entry);
    return tx("queue", "readwrite",
      (store) => store.put({id, status: entry.status || "pending", sealed}));
  }

  function removeEntry(id) {
    return tx("queue", "readwrite", (store) => store.delete(id));
  }

  async function entries() {
    const rows = await tx("queue", "readonly", (store) => store.getAll());
    const result = [];
    for (const row of rows) {
      const entry = await unseal(row.sealed);
      entry.id = row.id;
      result.push(entry);
    }
    return result;
  }

  async function wipe() {
    if (opened) {
      try { (await opened).close(); } catch (e) { /* never opened */ }
      opened = null;
    }
    await new Promise((resolve) => {
      const request = indexedDB.deleteDatabase(NAME);
      request.onsuccess = request.onerror = request.onblocked = () => resolve();
    });
  }

  window.FieldStore = {
    NAME, exists, getMeta, setMeta, saveCaseload, loadCaseload, addEntry, putEntry,
    removeEntry, entries, wipe,
  };
})();
