// Governor console: progressive enhancement only (every page works without it).
// Live views over server-sent events. Text from runs, tools and models is only ever set with
// textContent or setAttribute on elements built here: never innerHTML, never eval.

(() => {
  /** Selects that change a GET filter submit their form at once. */
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form?.submit());
  }

  /** Builds an element with attributes and children (strings become text nodes). */
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes ?? {})) node.setAttribute(name, String(value));
    for (const child of children)
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    return node;
  }

  const utc = (iso) => String(iso).slice(0, 19).replace("T", " ");

  /** A run row shaped as the server renders it (pages/run-rows.ts). */
  function runRow(run) {
    return el(
      "tr",
      { "data-testid": "run-row", "data-thread": run.threadId },
      el(
        "td",
        {},
        el(
          "a",
          { href: `/runs/${encodeURIComponent(run.threadId)}`, "data-testid": "run-link" },
          run.threadId.slice(0, 12),
        ),
      ),
      el("td", { "data-testid": "run-workflow" }, run.workflow),
      el("td", { "data-testid": "run-status", class: `status ${run.status}` }, run.status),
      el("td", {}, run.principal),
      el("td", {}, el("time", { datetime: run.createdAt }, utc(run.createdAt))),
      el("td", { "data-testid": "run-updated" }, el("time", { datetime: run.updatedAt }, utc(run.updatedAt))),
    );
  }

  function rowOf(container, threadId) {
    for (const row of container.querySelectorAll('tr[data-testid="run-row"]')) {
      if (row.getAttribute("data-thread") === threadId) return row;
    }
    return undefined;
  }

  /** Opens a stream; the browser reconnects by itself after a drop. */
  function listen(url, handlers) {
    const source = new EventSource(url);
    for (const [event, handle] of Object.entries(handlers)) {
      source.addEventListener(event, (message) => {
        let data;
        try {
          data = JSON.parse(message.data);
        } catch {
          return;
        }
        handle(data);
      });
    }
    window.addEventListener("pagehide", () => source.close());
    return source;
  }

  const runRows = document.getElementById("run-rows");
  if (runRows?.dataset.live) {
    listen(runRows.dataset.live, {
      run(run) {
        const existing = rowOf(runRows, run.threadId);
        if (!existing) {
          runRows.prepend(runRow(run));
          // The count above the list follows the rows that arrive live.
          const count = document.querySelector('[data-testid="run-count"]');
          if (count) {
            const total = (Number(count.getAttribute("data-total")) || 0) + 1;
            count.setAttribute("data-total", String(total));
            count.textContent = `${total} run(s); statuses update live.`;
          }
          return;
        }
        const status = existing.querySelector('[data-testid="run-status"]');
        if (status && status.textContent !== run.status) {
          status.textContent = run.status;
          status.setAttribute("class", `status ${run.status}`);
        }
        const updated = existing.querySelector('[data-testid="run-updated"]');
        if (updated) updated.replaceChildren(el("time", { datetime: run.updatedAt }, utc(run.updatedAt)));
      },
    });
  }

  const runSection = document.getElementById("run");
  if (runSection?.dataset.live) {
    const timeline = runSection.querySelector('[data-testid="timeline"]');
    const statusCell = runSection.querySelector('[data-testid="run-status"]');
    const shownStatus = statusCell?.textContent ?? "";
    let lastSeq = 0;
    for (const entry of runSection.querySelectorAll('[data-testid="timeline-entry"]')) {
      lastSeq = Math.max(lastSeq, Number(entry.getAttribute("data-seq")) || 0);
    }
    listen(`${runSection.dataset.live}?after=${lastSeq}`, {
      entry(entry) {
        if (!timeline || entry.seq <= lastSeq) return;
        lastSeq = entry.seq;
        const details = entry.details.length
          ? [el("ul", { class: "details" }, ...entry.details.map((line) => el("li", {}, line)))]
          : [];
        timeline.append(
          el(
            "li",
            { "data-testid": "timeline-entry", "data-seq": entry.seq, class: `entry ${entry.type}` },
            el("time", { datetime: entry.at }, String(entry.at).slice(11, 19)),
            " ",
            el("span", { class: "node" }, entry.node),
            " ",
            el("span", { class: "headline" }, entry.headline),
            ...details,
          ),
        );
      },
      run(run) {
        for (const node of runSection.querySelectorAll("svg [data-node]")) {
          if (run.current.includes(node.getAttribute("data-node"))) node.setAttribute("data-current", "true");
          else node.removeAttribute("data-current");
        }
        if (statusCell && run.status !== shownStatus) {
          statusCell.textContent = run.status;
          statusCell.setAttribute("class", `status ${run.status}`);
          // The usage, the graph's marks and the next step's links follow the status: fetch the page again.
          window.location.reload();
        }
      },
    });
  }
})();
