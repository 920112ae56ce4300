// Cầu Nối: the "Listen" button of a lesson or a quiz question (its prompt, a scam drill's message,
// its answers) reads it aloud with the browser's speech synthesis.
// The controls stay hidden unless the device has a voice for the page's language (vi or en);
// the lesson reads the same without this file.
(function () {
  "use strict";
  var box = document.querySelector("[data-listen]");
  var synth = window.speechSynthesis;
  if (!box || !synth || typeof window.SpeechSynthesisUtterance !== "function") return;

  var language = (document.documentElement.lang || "vi").toLowerCase().slice(0, 2);
  var play = box.querySelector("[data-listen-play]");
  var pause = box.querySelector("[data-listen-pause]");
  var stop = box.querySelector("[data-listen-stop]");
  var voice = null;
  var speaking = false;

  function findVoice() {
    var voices = synth.getVoices() || [];
    for (var i = 0; i < voices.length; i++) {
      var lang = (voices[i].lang || "").toLowerCase().replace("_", "-");
      if (lang === language || lang.indexOf(language + "-") === 0) return voices[i];
    }
    return null;
  }

  // Short pieces, one per heading, paragraph or list item: long utterances get cut off.
  function pieces() {
    var parts = [];
    document.querySelectorAll("[data-listen-text]").forEach(function (root) {
      var readable = "h1, h2, h3, h4, p, li, td, th, blockquote, button.choice, .mock-element";
      root.querySelectorAll(readable).forEach(function (el) {
        if (el.querySelector("p, li")) return; // its children are read one by one
        var text = (el.textContent || "").replace(/\s+/g, " ").trim();
        if (text) parts.push(text);
      });
    });
    return parts;
  }

  function show(state) {
    speaking = state !== "stopped";
    play.hidden = state === "playing";
    pause.hidden = state !== "playing";
    stop.hidden = state === "stopped";
  }

  function start() {
    synth.cancel();
    var parts = pieces();
    parts.forEach(function (text, index) {
      var utterance = new SpeechSynthesisUtterance(text);
      utterance.voice = voice;
      utterance.lang = voice.lang;
      utterance.rate = 0.9; // a little slower than default, for older listeners
      if (index === parts.length - 1) {
        utterance.onend = function () { show("stopped"); };
      }
      synth.speak(utterance);
    });
    show(parts.length ? "playing" : "stopped");
  }

  play.addEventListener("click", function () {
    if (speaking && synth.paused) {
      synth.resume();
      show("playing");
    } else {
      start();
    }
  });
  pause.addEventListener("click", function () {
    synth.pause();
    show("paused");
  });
  stop.addEventListener("click", function () {
    synth.cancel();
    show("stopped");
  });
  window.addEventListener("pagehide", function () { synth.cancel(); });

  function ready() {
    if (voice) return;
    voice = findVoice();
    if (voice) {
      show("stopped");
      box.hidden = false;
    }
  }
  // Chromium fills the voice list asynchronously and says so with voiceschanged.
  ready();
  if (typeof synth.addEventListener === "function") {
    synth.addEventListener("voiceschanged", ready);
  }
})();
