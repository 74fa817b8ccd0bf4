/*
 * mkdocs-postmortem: sortable and filterable archive tables.
 *
 * Plain ES2017, one classic script, no dependencies, no network, works from file://.
 * The tables are complete without it; this only adds sorting and filtering.
 *
 *   table[data-pm-sortable]      th[data-pm-sort="text|number"] become sort buttons
 *   [data-pm-archive]            a form[data-pm-filters] filters the archive's tables:
 *     [data-pm-filter="text"]      case-insensitive substring of the row's text
 *     select[data-pm-filter="X"]   value is one of the row's data-pm-X (space-separated)
 *     [data-pm-count]              "N of M postmortems"
 *     [data-pm-clear]              a reset button: "Clear filters"
 *   The filters' state lives in the query string (?status=published&tag=...), one
 *   parameter per filter named after it, updated with history.replaceState: a filtered
 *   view can be shared, and is restored on reload. Only values the page offers are taken.
 *
 * Processed elements get data-pm-ready, so initialising again (Material's instant
 * navigation emits document$ on every page) only picks up new elements.
 */
(function () {
  "use strict";

  if (typeof window === "undefined" || typeof document === "undefined") {
    return;
  }
  // Loaded twice on one page (two script tags, a theme re-running scripts): the first
  // copy already listens for new pages.
  if (window.mkdocsPostmortem) {
    return;
  }

  var EMPTY_CLASS = "pm-empty";
  var EMPTY_TEXT = "No postmortem matches these filters.";

  var collator = null;
  try {
    collator = new Intl.Collator("en", { numeric: true });
  } catch (error) {
    collator = null;
  }

  function compareText(a, b) {
    if (collator) {
      return collator.compare(a, b);
    }
    return a.localeCompare(b, "en", { numeric: true });
  }

  function toNumber(value) {
    var text = value.trim();
    if (text === "") {
      return NaN;
    }
    var number = Number(text);
    return isFinite(number) ? number : NaN;
  }

  function normalise(text) {
    return String(text).replace(/\s+/g, " ").trim().toLowerCase();
  }

  function toArray(list) {
    return Array.prototype.slice.call(list);
  }

  /** Elements matching selector under root that belong to root, not to a nested block. */
  function own(root, selector, ownerSelector) {
    return toArray(root.querySelectorAll(selector)).filter(function (element) {
      var owner = element.parentNode ? element.parentNode.closest(ownerSelector) : null;
      return owner === root;
    });
  }

  function report(error) {
    if (window.console && typeof window.console.error === "function") {
      window.console.error("mkdocs-postmortem:", error);
    }
  }

  /* ------------------------------------------------------------------ columns */

  /** The column a cell starts in, counting colspans before it in its row. */
  function columnOf(cell) {
    var column = 0;
    var sibling = cell.previousElementSibling;
    while (sibling) {
      column += sibling.colSpan || 1;
      sibling = sibling.previousElementSibling;
    }
    return column;
  }

  /** The cell of row that covers column, or null. */
  function cellAt(row, column) {
    var start = 0;
    var cells = row.cells;
    for (var i = 0; i < cells.length; i += 1) {
      var span = cells[i].colSpan || 1;
      if (column < start + span) {
        return cells[i];
      }
      start += span;
    }
    return null;
  }

  function columnCount(table) {
    var row = null;
    if (table.tHead && table.tHead.rows.length) {
      row = table.tHead.rows[table.tHead.rows.length - 1];
    } else if (table.rows.length) {
      row = table.rows[0];
    }
    if (!row) {
      return 1;
    }
    var count = 0;
    toArray(row.cells).forEach(function (cell) {
      count += cell.colSpan || 1;
    });
    return Math.max(count, 1);
  }

  function bodyRows(tbody) {
    return toArray(tbody.rows).filter(function (row) {
      return !row.classList.contains(EMPTY_CLASS);
    });
  }

  function sortValue(row, column) {
    var cell = cellAt(row, column);
    if (!cell) {
      return "";
    }
    if (cell.hasAttribute("data-pm-value")) {
      return cell.getAttribute("data-pm-value");
    }
    return cell.textContent.trim();
  }

  /* ------------------------------------------------------------------ sorting */

  function sortHeaders(table) {
    return own(table, "th[data-pm-sort]", "table");
  }

  function sortBy(table, header) {
    var direction = header.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
    var numeric = (header.getAttribute("data-pm-sort") || "text").trim().toLowerCase() === "number";
    var sign = direction === "ascending" ? 1 : -1;
    var column = columnOf(header);

    sortHeaders(table).forEach(function (other) {
      if (other !== header) {
        other.removeAttribute("aria-sort");
      }
    });
    header.setAttribute("aria-sort", direction);

    toArray(table.tBodies).forEach(function (tbody) {
      var entries = bodyRows(tbody).map(function (row, index) {
        var value = sortValue(row, column);
        return { row: row, index: index, key: numeric ? toNumber(value) : value };
      });
      entries.sort(function (a, b) {
        var result;
        if (numeric) {
          var aMissing = isNaN(a.key);
          var bMissing = isNaN(b.key);
          if (aMissing || bMissing) {
            // Non-numbers go last in both directions.
            result = aMissing === bMissing ? 0 : aMissing ? 1 : -1;
          } else {
            result = sign * (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
          }
        } else {
          result = sign * compareText(a.key, b.key);
        }
        // Stable: equal keys keep their current order.
        return result || a.index - b.index;
      });
      var fragment = document.createDocumentFragment();
      entries.forEach(function (entry) {
        fragment.appendChild(entry.row);
      });
      toArray(tbody.rows).forEach(function (row) {
        if (row.classList.contains(EMPTY_CLASS)) {
          fragment.appendChild(row);
        }
      });
      tbody.appendChild(fragment);
    });
  }

  function setupSortable(table) {
    table.setAttribute("data-pm-ready", "");
    sortHeaders(table).forEach(function (header) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "pm-sort";
      while (header.firstChild) {
        button.appendChild(header.firstChild);
      }
      header.appendChild(button);
      button.addEventListener("click", function () {
        sortBy(table, header);
      });
    });
  }

  /* ---------------------------------------------------------------- filtering */

  var rowTexts = typeof WeakMap === "function" ? new WeakMap() : null;

  function rowText(row) {
    if (rowTexts && rowTexts.has(row)) {
      return rowTexts.get(row);
    }
    var text = normalise(row.textContent);
    if (rowTexts) {
      rowTexts.set(row, text);
    }
    return text;
  }

  function readFilters(form) {
    if (!form) {
      return [];
    }
    return toArray(form.querySelectorAll("[data-pm-filter]"))
      .map(function (control) {
        var key = (control.getAttribute("data-pm-filter") || "").trim();
        var raw = typeof control.value === "string" ? control.value : "";
        if (!key) {
          return null;
        }
        if (key === "text") {
          var query = normalise(raw);
          return query ? { kind: "text", value: query } : null;
        }
        var value = raw.trim();
        return value ? { kind: "list", attribute: "data-pm-" + key, value: value } : null;
      })
      .filter(Boolean);
  }

  function matches(row, filters) {
    return filters.every(function (filter) {
      if (filter.kind === "text") {
        return rowText(row).indexOf(filter.value) !== -1;
      }
      var values = (row.getAttribute(filter.attribute) || "").split(/\s+/);
      return values.indexOf(filter.value) !== -1;
    });
  }

  function setEmptyRow(table, show) {
    var existing = toArray(table.querySelectorAll("tr." + EMPTY_CLASS)).filter(function (row) {
      return row.closest("table") === table;
    });
    if (!show) {
      existing.forEach(function (row) {
        row.parentNode.removeChild(row);
      });
      return;
    }
    if (existing.length || !table.tBodies.length) {
      return;
    }
    var row = document.createElement("tr");
    row.className = EMPTY_CLASS;
    var cell = document.createElement("td");
    cell.colSpan = columnCount(table);
    cell.textContent = EMPTY_TEXT;
    row.appendChild(cell);
    table.tBodies[0].appendChild(row);
  }

  function filterArchive(archive, form, tables) {
    var filters = readFilters(form);
    var shown = 0;
    var total = 0;
    tables.forEach(function (table) {
      var tableShown = 0;
      var tableTotal = 0;
      toArray(table.tBodies).forEach(function (tbody) {
        bodyRows(tbody).forEach(function (row) {
          var visible = matches(row, filters);
          row.hidden = !visible;
          tableTotal += 1;
          if (visible) {
            tableShown += 1;
          }
        });
      });
      setEmptyRow(table, tableTotal > 0 && tableShown === 0);
      shown += tableShown;
      total += tableTotal;
    });
    own(archive, "[data-pm-count]", "[data-pm-archive]").forEach(function (output) {
      output.textContent = shown + " of " + total + " postmortems";
    });
  }

  /* ---------------------------------------------------------- state in the URL */

  var URL_PREFIX = "pm-"; // ?pm-status=published: clear of other scripts' parameters

  function filterControls(form) {
    return form ? toArray(form.querySelectorAll("[data-pm-filter]")) : [];
  }

  function canTake(control, value) {
    if (control.tagName !== "SELECT") {
      return true;
    }
    return toArray(control.options).some(function (option) {
      return option.value === value;
    });
  }

  function restoreFromUrl(form) {
    if (!form || typeof URLSearchParams !== "function") {
      return;
    }
    var params = new URLSearchParams(window.location.search);
    filterControls(form).forEach(function (control) {
      var key = URL_PREFIX + (control.getAttribute("data-pm-filter") || "").trim();
      var value = params.get(key);
      if (value !== null && canTake(control, value)) {
        control.value = value;
      }
    });
  }

  function saveToUrl(form) {
    if (!form || typeof URLSearchParams !== "function" || !window.history) {
      return;
    }
    var params = new URLSearchParams(window.location.search);
    filterControls(form).forEach(function (control) {
      var key = URL_PREFIX + (control.getAttribute("data-pm-filter") || "").trim();
      var value = typeof control.value === "string" ? control.value : "";
      if (value) {
        params.set(key, value);
      } else {
        params.delete(key);
      }
    });
    var query = params.toString();
    var url = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
    if (url !== window.location.pathname + window.location.search + window.location.hash) {
      try {
        window.history.replaceState(window.history.state, "", url);
      } catch (error) {
        report(error); // file:// in some browsers
      }
    }
  }

  var refreshers = [];

  function setupArchive(archive) {
    archive.setAttribute("data-pm-ready", "");
    var form = own(archive, "[data-pm-filters]", "[data-pm-archive]")[0] || null;
    var tables = own(archive, "table", "[data-pm-archive]");
    var refresh = function () {
      filterArchive(archive, form, tables);
    };
    var update = function () {
      refresh();
      saveToUrl(form);
    };
    if (form) {
      restoreFromUrl(form);
      form.addEventListener("input", update);
      form.addEventListener("change", update);
      form.addEventListener("submit", function (event) {
        // Enter in the search field must not reload the page with a query string.
        event.preventDefault();
        update();
      });
      form.addEventListener("reset", function () {
        // The controls take their defaults after this event: filter once they have.
        window.setTimeout(update, 0);
      });
      form.removeAttribute("hidden");
    }
    refreshers.push({ archive: archive, refresh: refresh });
    refresh();
  }

  /* ------------------------------------------------------------------- set-up */

  function init() {
    toArray(document.querySelectorAll("table[data-pm-sortable]:not([data-pm-ready])")).forEach(
      function (table) {
        try {
          setupSortable(table);
        } catch (error) {
          report(error);
        }
      }
    );
    // Drop archives that left the page (instant navigation swaps the content).
    refreshers = refreshers.filter(function (entry) {
      return document.documentElement.contains(entry.archive);
    });
    toArray(document.querySelectorAll("[data-pm-archive]:not([data-pm-ready])")).forEach(
      function (archive) {
        try {
          setupArchive(archive);
        } catch (error) {
          report(error);
        }
      }
    );
  }

  function refreshAll() {
    refreshers.forEach(function (entry) {
      try {
        entry.refresh();
      } catch (error) {
        report(error);
      }
    });
  }

  window.mkdocsPostmortem = { init: init };

  var subscribed = false;

  function subscribe() {
    var source = window.document$;
    if (subscribed || !source || typeof source.subscribe !== "function") {
      return subscribed;
    }
    try {
      source.subscribe(function () {
        init();
      });
      subscribed = true;
    } catch (error) {
      report(error);
    }
    return subscribed;
  }

  function onReady() {
    subscribe();
    init();
  }

  subscribe();
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onReady);
  } else {
    onReady();
  }
  // The browser may restore filter values after the script ran (reload, back button).
  window.addEventListener("pageshow", refreshAll);
})();
