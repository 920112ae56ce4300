/* The log screen's offline queue.
 *
 * Every entry gets its id (crypto.randomUUID) and the time it happened when the volunteer taps
 * "Save", then waits in localStorage until the server answers 200 or 201; the server is
 * idempotent on the id, so sending one twice is harmless. Entries are sent on saving, on page
 * load, when the browser comes back online, and on a timer with growing pauses.
 * Without this script the form is a plain POST and still works.
 */
(function () {
  "use strict";

  var form = document.getElementById("assist-form");
  var shared = window.CauNoiQueue;
  if (!form || !form.dataset.syncUrl || !shared || !shared.supported()) return;

  var data = form.dataset;
  var entries = new shared.Queue("caunoi.assists.queue." + data.user);
  var LAST_KEY = "caunoi.assists.last." + data.user;
  var CHOICES = ["channel", "level", "outcome", "reason", "result_electronic", "age_band"];
  var FLAGS = ["vulnerable", "at_home", "self_service"];
  var REQUIRED = ["service_point", "procedure", "channel", "level", "outcome", "result_electronic", "age_band"];
  var status = document.getElementById("queue-status");
  var count = document.getElementById("queue-count");
  var note = document.getElementById("queue-note");
  var rejected = document.getElementById("queue-rejected");
  var message = document.getElementById("assist-message");
  var recent = document.getElementById("recent-list");
  var filter = document.getElementById("procedure-filter");
  var select = form.elements.procedure;
  var sending = false;
  var pause = 2000;
  var timer = null;

  // the last choices made on this phone, to start the next entry from them
  function readLast() {
    try { return JSON.parse(localStorage.getItem(LAST_KEY)) || null; } catch (e) { return null; }
  }
  function writeLast(value) {
    try { localStorage.setItem(LAST_KEY, JSON.stringify(value)); } catch (e) { /* storage full */ }
  }

  function fold(text) {
    return (text || "").replace(/đ/g, "d").replace(/Đ/g, "D").normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/\s+/g, " ").trim();
  }

  function radioValue(name) {
    var checked = form.querySelector('input[name="' + name + '"]:checked');
    return checked ? checked.value : "";
  }
  function setRadio(name, value) {
    var input = form.querySelector('input[name="' + name + '"][value="' + value + '"]');
    if (input) input.checked = true;
  }

  // The counter shows only while entries wait (or one was refused); once the last waiting
  // entry is sent, its "waiting" message goes too, so nobody thinks an entry is still pending.
  function showCount() {
    var waiting = entries.items().length;
    count.textContent = String(waiting);
    status.classList.toggle("waiting", waiting > 0);
    if (waiting === 0) {
      note.textContent = "";
      if (message.dataset.waiting) {
        message.textContent = "";
        delete message.dataset.waiting;
      }
    } else if (!navigator.onLine) note.textContent = data.textOffline;
    status.hidden = waiting === 0 && rejected.hidden;
  }

  function showReason() {
    var group = document.getElementById("reason-group");
    if (group) group.hidden = radioValue("outcome") !== "not_submitted";
  }

  /* The last choices, kept on the phone: newer than the server's when entries wait offline. */
  function restore() {
    var last = readLast();
    if (!last || (data.lastAt && Date.parse(last.saved_at) < Date.parse(data.lastAt))) return;
    CHOICES.forEach(function (name) { if (last[name]) setRadio(name, last[name]); });
    FLAGS.forEach(function (name) { if (name !== "at_home") form.elements[name].checked = !!last[name]; });
    if (last.service_point && form.querySelector('#service_point option[value="' + last.service_point + '"]')) {
      form.elements.service_point.value = last.service_point;
    }
    if (last.procedure && select.querySelector('option[value="' + last.procedure + '"]')) {
      select.value = last.procedure;
    }
  }

  function entryFromForm() {
    var entry = {
      id: shared.newId(),
      occurred_at: new Date().toISOString(),
      service_point: form.elements.service_point.value,
      procedure: select.value,
      offline: !navigator.onLine
    };
    if (form.elements.home_request && form.elements.home_request.value) {
      entry.home_request = form.elements.home_request.value;
    }
    CHOICES.forEach(function (name) { entry[name] = radioValue(name) || null; });
    if (entry.outcome !== "not_submitted") entry.reason = null;
    FLAGS.forEach(function (name) { entry[name] = form.elements[name].checked; });
    var card = form.elements.resident_card;
    if (card && card.value.trim()) entry.resident_card = card.value.trim();
    return entry;
  }

  function missing(entry) {
    var names = REQUIRED.filter(function (name) { return !entry[name]; });
    if (entry.outcome === "not_submitted" && !entry.reason) names.push("reason");
    return names;
  }

  function legendOf(name) {
    var group = document.getElementById(name + "-group");
    var label = group ? group.querySelector("legend") : form.querySelector('label[for="' + name + '"]');
    return label ? label.textContent.trim() : name;
  }

  function addRecent(saved) {
    if (!recent) return;
    var empty = recent.querySelector(".empty");
    if (empty) empty.remove();
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.href = data.showUrl.replace(data.placeholderId, saved.id);
    link.textContent = saved.procedure.name;
    var when = new Date(saved.occurred_at);
    var text = document.createElement("span");
    text.className = "muted";
    var lang = document.documentElement.lang;
    text.textContent = " · " + when.toLocaleDateString(lang, {
      day: "numeric", month: "short", year: "numeric", timeZone: "Asia/Ho_Chi_Minh"
    }) + ", " + when.toLocaleTimeString(lang, {
      hour: "2-digit", minute: "2-digit", timeZone: "Asia/Ho_Chi_Minh"
    }) + " · " + data.textSaved;
    item.appendChild(link);
    item.appendChild(text);
    var template = document.getElementById("undo-template");
    if (template && !saved.voided_at) {
      var undo = template.content.firstElementChild.cloneNode(true);
      undo.action = data.undoUrl.replace(data.placeholderId, saved.id);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(undo);
    }
    recent.insertBefore(item, recent.firstChild);
  }

  function drop(id) {
    entries.keep(function (e) { return e.id !== id; });
  }

  function markOffline(id) {
    entries.save(entries.items().map(function (e) {
      if (e.id === id) e.offline = true;
      return e;
    }));
  }

  function retryLater() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(function () { timer = null; flush(); }, pause);
    pause = Math.min(pause * 2, 60000);
  }

  /* stored (the server has it under its id), refused (with the reasons), auth or retry */
  function sendOne(entry) {
    return shared.send(data.syncUrl, data.syncToken, entry).then(function (outcome) {
      if (outcome.kind !== "answer") return outcome;
      if (outcome.status === 200 || outcome.status === 201) {
        return outcome.body.id === entry.id ? { kind: "stored", body: outcome.body } : { kind: "retry" };
      }
      return { kind: "refused", body: outcome.body };
    });
  }

  function flush() {
    if (sending) return;
    var entry = entries.items()[0];
    if (!entry) { showCount(); return; }
    sending = true;
    sendOne(entry).then(function (result) {
      sending = false;
      if (result.kind === "stored") {
        drop(entry.id);
        addRecent(result.body);
        pause = 2000;
        showCount();
        flush();
      } else if (result.kind === "refused") {
        drop(entry.id);
        var fields = result.body && result.body.fields ? result.body.fields : {};
        rejected.hidden = false;
        rejected.textContent = data.textRejected + " " + (result.body.message || "") + " " +
          Object.keys(fields).map(function (k) { return fields[k]; }).join(" ");
        showCount();
        flush();
      } else if (result.kind === "auth") {
        note.textContent = data.textSignin;
        showCount();
      } else {
        markOffline(entry.id);
        note.textContent = data.textWaiting;
        if (message.textContent.indexOf(data.textSaved) === 0) {
          message.textContent = data.textWaiting + message.textContent.slice(data.textSaved.length);
          message.dataset.waiting = "1";
        }
        showCount();
        retryLater();
      }
    });
  }

  function onSubmit(event) {
    event.preventDefault();
    var entry = entryFromForm();
    var gaps = missing(entry);
    if (gaps.length) {
      message.textContent = data.textMissing + " " + gaps.map(legendOf).join(", ");
      return;
    }
    message.textContent = "";
    var last = {};
    Object.keys(entry).forEach(function (k) { last[k] = entry[k]; });
    last.saved_at = entry.occurred_at;
    delete last.resident_card;  // the next resident is another person: their card is asked anew
    writeLast(last);
    if (form.elements.resident_card) form.elements.resident_card.value = "";
    entries.add(entry);
    showCount();
    message.textContent = (navigator.onLine ? data.textSaved : data.textWaiting) + " " +
      select.options[select.selectedIndex].text;
    if (navigator.onLine) delete message.dataset.waiting;
    else message.dataset.waiting = "1";
    flush();
  }

  var index = {};
  try { index = JSON.parse(select.dataset.search || "{}"); } catch (e) { index = {}; }

  function onFilter() {
    var words = fold(filter.value);
    var first = null;
    Array.prototype.forEach.call(select.options, function (option) {
      var text = fold(option.text) + " " + (index[option.value] || "") + " " + option.value;
      var match = !words || text.indexOf(words) !== -1;
      option.hidden = !match;
      option.disabled = !match;
      if (match && !first) first = option;
    });
    if (first && select.selectedOptions[0] && select.selectedOptions[0].hidden) select.value = first.value;
  }

  filter.hidden = false;
  filter.addEventListener("input", onFilter);
  form.addEventListener("submit", onSubmit);
  form.addEventListener("change", function (event) {
    if (event.target.name === "outcome") showReason();
  });
  window.addEventListener("online", function () { pause = 2000; flush(); });
  window.addEventListener("offline", showCount);
  restore();
  showReason();
  showCount();
  flush();
  setInterval(function () { if (entries.items().length && !sending && !timer) flush(); }, 30000);
})();
