// benchboot dashboard: the one script of the page (no framework, no build step).
// It listens to the server-sent events of /events and swaps each pushed panel
// (HTML rendered and escaped by the server) into the element of the same
// data-live name, and filters the device table by status and search text.
/* global document, window, EventSource, URLSearchParams */
'use strict';

function applyFilter() {
  var search = document.getElementById('device-search');
  var status = document.getElementById('device-status');
  var q = search ? search.value.trim().toLowerCase() : '';
  var s = status ? status.value : 'all';
  var rows = document.querySelectorAll('#devices tr.device');
  for (var i = 0; i < rows.length; i++) {
    var row = rows[i];
    var ok = (s === 'all' || row.getAttribute('data-status') === s) && (q === '' || (row.getAttribute('data-search') || '').indexOf(q) >= 0);
    row.hidden = !ok;
  }
  if (window.history && window.history.replaceState && search) {
    var params = new URLSearchParams();
    if (q !== '') params.set('q', q);
    if (s !== 'all') params.set('status', s);
    var qs = params.toString();
    window.history.replaceState(null, '', qs === '' ? window.location.pathname : '?' + qs);
  }
}

function connect() {
  var state = document.getElementById('live-state');
  var device = document.body.getAttribute('data-device');
  var source = new EventSource('/events' + (device ? '?device=' + encodeURIComponent(device) : ''));
  source.onopen = function () {
    if (state) { state.textContent = 'live'; state.className = 'live-state on'; }
  };
  source.onerror = function () {
    if (state) { state.textContent = 'reconnecting…'; state.className = 'live-state off'; }
  };
  var targets = document.querySelectorAll('[data-live]');
  for (var i = 0; i < targets.length; i++) {
    (function (el) {
      source.addEventListener(el.getAttribute('data-live'), function (e) {
        el.innerHTML = e.data;
        if (el.id === 'devices') applyFilter();
      });
    })(targets[i]);
  }
}

document.addEventListener('DOMContentLoaded', function () {
  var search = document.getElementById('device-search');
  var status = document.getElementById('device-status');
  if (search) search.addEventListener('input', applyFilter);
  if (status) status.addEventListener('change', applyFilter);
  connect();
});
