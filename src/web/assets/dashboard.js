// benchboot dashboard: the one script of the page (no framework, no build step).
// It listens to the server-sent events of /events and swaps each pushed panel
// (HTML rendered and escaped by the server) into the element of the same
// data-live name. The device table is filtered by the server (it shows at most
// a page of rows): a new search or status opens a new stream with the filter in
// its query, which answers with the filtered table at once; meanwhile the rows
// already shown are filtered here by the same rule.
/* global document, window, EventSource, URLSearchParams */
'use strict';

var source = null;
var reconnectTimer = null;
/** Wait after the last keystroke before asking the server for the new table (ms). */
var FILTER_DELAY_MS = 250;

function currentFilter() {
  var search = document.getElementById('device-search');
  var status = document.getElementById('device-status');
  return { q: search ? search.value.trim().toLowerCase() : '', s: status ? status.value : 'all' };
}

function filterQuery(f) {
  var params = new URLSearchParams();
  if (f.q !== '') params.set('q', f.q);
  if (f.s !== 'all') params.set('status', f.s);
  return params.toString();
}

function applyFilter() {
  var f = currentFilter();
  var rows = document.querySelectorAll('#devices tr.device');
  for (var i = 0; i < rows.length; i++) {
    var row = rows[i];
    var ok = (f.s === 'all' || row.getAttribute('data-status') === f.s) && (f.q === '' || (row.getAttribute('data-search') || '').indexOf(f.q) >= 0);
    row.hidden = !ok;
  }
}

function filterChanged() {
  applyFilter();
  var qs = filterQuery(currentFilter());
  if (window.history && window.history.replaceState) window.history.replaceState(null, '', qs === '' ? window.location.pathname : '?' + qs);
  if (reconnectTimer !== null) window.clearTimeout(reconnectTimer);
  reconnectTimer = window.setTimeout(function () {
    reconnectTimer = null;
    connect();
  }, FILTER_DELAY_MS);
}

function streamUrl() {
  var device = document.body.getAttribute('data-device');
  if (device) return '/events?device=' + encodeURIComponent(device);
  var qs = filterQuery(currentFilter());
  return '/events' + (qs === '' ? '' : '?' + qs);
}

function connect() {
  var state = document.getElementById('live-state');
  if (source !== null) source.close();
  source = new EventSource(streamUrl());
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
        // A table pushed by the stream of the previous filter, while the new one connects, is filtered here too.
        if (el.id === 'devices') applyFilter();
      });
    })(targets[i]);
  }
}

document.addEventListener('DOMContentLoaded', function () {
  var search = document.getElementById('device-search');
  var status = document.getElementById('device-status');
  if (search) search.addEventListener('input', filterChanged);
  if (status) status.addEventListener('change', filterChanged);
  connect();
});
