/* What every page that works without data shares (the check-in pages, the quiz, the assist log):
   work kept on the phone in localStorage under one key per person, each item with an id made
   here, and sent one at a time to the page's sync URL when the network is there. The server is
   idempotent on the id, so an item sent twice counts once. Each page says what its items hold
   and what an answer means; this file only keeps, sends and sorts the answers into three kinds:
   "answer" (the server read the item: recorded or refused, with its JSON body), "auth" (the
   person must sign in again: a redirect to the login page, 401 or 403) and "retry" (no network,
   a busy or failing server: send again later). */
window.CauNoiQueue = (function () {
  "use strict";

  function supported() {
    return !!(window.fetch && window.localStorage && window.JSON && window.crypto);
  }

  /* The items waiting under one key, oldest first. */
  function Queue(key) {
    this.key = key;
  }
  Queue.prototype.items = function () {
    try { return JSON.parse(localStorage.getItem(this.key) || "[]") || []; } catch (e) { return []; }
  };
  Queue.prototype.save = function (items) {
    try { localStorage.setItem(this.key, JSON.stringify(items)); } catch (e) { /* storage full */ }
  };
  Queue.prototype.add = function (item) {
    var items = this.items();
    items.push(item);
    this.save(items);
  };
  /* Keeps the items for which keep(item) is true. */
  Queue.prototype.keep = function (keep) {
    this.save(this.items().filter(keep));
  };

  /* A random UUID (version 4), also on browsers without crypto.randomUUID. */
  function newId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  /* Posts one item as JSON with the page's sync token; resolves to {kind, status, body}. */
  function send(url, syncToken, item) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-Sync-Token": syncToken },
      body: JSON.stringify(item)
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (!json) return { kind: "auth" };  // a redirect to the login page, or a proxy's page
      if (response.status === 401 || response.status === 403) return { kind: "auth" };
      if (response.status === 429 || response.status >= 500) return { kind: "retry" };
      return response.json().then(function (body) {
        return { kind: "answer", status: response.status, body: body || {} };
      });
    }).catch(function () { return { kind: "retry" }; });
  }

  return { supported: supported, Queue: Queue, newId: newId, send: send };
})();
