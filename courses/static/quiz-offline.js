/* Cầu Nối — the quiz without data. On a quiz page with the network, the attempt's remaining
   questions (one page, /courses/<slug>/quiz/<attempt>/offline) are kept in the course's cache, so
   the service worker can show them when the network is gone. An answer given without data is
   kept on the phone with a UUID made here and the time it was given, "N answers waiting to send"
   is shown, and the answers go to /courses/<slug>/quiz/sync when the network returns (or the
   next time a quiz page opens); the server records each id once. With the network, the forms
   post as they do without JavaScript. */
(function () {
  "use strict";
  var status = document.getElementById("quiz-queue-status");
  var shared = window.CauNoiQueue;
  if (!status || !shared || !shared.supported()) return;
  var data = status.dataset;
  var answers = new shared.Queue("quiz-queue:" + data.user);
  var onPack = location.pathname === data.packUrl;
  var sending = false;

  function say(text) {
    status.hidden = false;
    status.textContent = text;
  }

  function show() {
    var count = answers.items().length;
    if (count) say((count === 1 ? data.textOne : data.textMany).replace("%(num)s", count));
    if (!onPack) return;
    // the questions kept on the phone: those already answered here are put away
    var waiting = answers.items().map(function (a) { return String(a.question); });
    var left = 0;
    document.querySelectorAll(".offline-question").forEach(function (section) {
      section.hidden = waiting.indexOf(section.dataset.question) !== -1;
      if (!section.hidden && section.querySelector("form.quiz-form, form.walkthrough-form")) left += 1;
    });
    var done = document.querySelector(".offline-done");
    if (done) done.hidden = left > 0;
  }

  function keepQuestions() {
    // a course the learner removed from the phone stays removed (see offline.js)
    if (!window.caches || !navigator.onLine || onPack) return;
    if (localStorage.getItem("caunoi-offline-skip-" + data.cache)) return;
    caches.open(data.cache).then(function (cache) {
      return Promise.all([data.packUrl, data.queueScript, data.script, data.styles].map(function (url) {
        return cache.add(url);
      }));
    }).catch(function () { /* the network went while saving: the next quiz page tries again */ });
  }

  // the button pressed carries the choice (name="choice" value=…): remember it for FormData
  var pressed = null;
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("form button[name]");
    pressed = button || null;
  });

  function keep(question, fields) {
    answers.keep(function (a) { return String(a.question) !== question; });
    answers.add({
      client_id: shared.newId(),
      attempt: data.attempt,
      question: question,
      answered_at: new Date().toISOString(),
      fields: fields
    });
    if (onPack) show();
    else location.href = data.packUrl;  // the next questions, kept on the phone
  }

  // An answer's form (on the quiz page, a walkthrough's last screen too): kept when offline. A
  // walkthrough's earlier screen moves on by loading the quiz page again: without data, the
  // walkthrough starts over on the kept page instead.
  document.querySelectorAll("form.quiz-form, form.sim-form:not(.walkthrough-form)").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (navigator.onLine) return;
      event.preventDefault();
      if (!form.elements.question) {
        location.href = data.packUrl;
        return;
      }
      var fields = {};
      var values = new FormData(form);
      var submitter = event.submitter || pressed;
      if (submitter && submitter.name) values.append(submitter.name, submitter.value);
      values.forEach(function (value, name) {
        if (name === "csrf_token" || name === "question") return;
        (fields[name] = fields[name] || []).push(String(value));
      });
      keep(form.elements.question.value, fields);
    });
  });

  // A walkthrough on the kept page, without data: its screens one after another, the taps kept
  // as the quiz page would post them (every tap but the last in "taps", the last in "tap").
  document.querySelectorAll("form.walkthrough-form").forEach(function (form) {
    if (navigator.onLine) return;
    var online = form.parentNode.querySelector("[data-walkthrough-online]");
    if (online) online.hidden = true;
    form.hidden = false;
    var screens = form.querySelectorAll(".walkthrough-step");
    var taps = [];
    form.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest("button[name=tap]");
      if (!button) return;
      event.preventDefault();
      screens[taps.length].hidden = true;
      taps.push(button.value);
      if (taps.length < screens.length) {
        screens[taps.length].hidden = false;
        return;
      }
      keep(form.elements.question.value, { taps: taps.slice(0, -1), tap: taps.slice(-1) });
    });
  });

  function flush() {
    if (sending || !navigator.onLine) return;
    var answer = answers.items()[0];
    if (!answer) return;
    sending = true;
    shared.send(data.syncUrl, data.syncToken, answer).then(function (outcome) {
      sending = false;
      if (outcome.kind === "answer") {  // recorded, or refused with the reason
        answers.keep(function (a) { return a.client_id !== answer.client_id; });
        if (outcome.body.error) say(outcome.body.message);
        else if (!answers.items().length) say(data.textSent);
        show();
        flush();
      } else if (outcome.kind === "auth") {
        say(data.textSignin);
      } else {
        setTimeout(flush, 5000);
      }
    });
  }

  window.addEventListener("online", flush);
  keepQuestions();
  show();
  flush();
})();
