// Jobs' own logic: the live state of a job as pushes and answers arrive in any order, the export
// forms' params as the API names them, and reading the CSV files jobs write.
import { createPinia, setActivePinia } from "pinia";
import { beforeEach, describe, expect, it } from "vitest";

import type { Job } from "@/api/types";
import { parseCsv, parseImportReport, sniffDelimiter, unprotect } from "@/components/jobs/csv";
import { formatSize, jobSummary, periodDay } from "@/components/jobs/format";
import {
  applyProgress,
  emptyTaskFilters,
  exportTaskParams,
  importParams,
  isoDay,
  mergeJob,
  shownProgress,
  statsParams,
  taskFiltersFromQuery,
  useJobs,
} from "@/stores/jobs";

function job(extra: Partial<Job> = {}): Job {
  return {
    id: "j1",
    user_id: "u1",
    kind: "export_tasks_csv",
    params: {},
    status: "queued",
    progress: 0,
    attempts: 0,
    message: null,
    error: null,
    result_name: null,
    result_size: null,
    result_url: null,
    expires_at: null,
    created_at: "2026-01-01T00:00:00Z",
    started_at: null,
    finished_at: null,
    ...extra,
  };
}

describe("a job's progress", () => {
  it("goes from queued to running and only forwards", () => {
    let j = applyProgress(job(), { job_id: "j1", status: "active", progress: 10 });
    expect([j.status, j.progress]).toEqual(["active", 10]);
    j = applyProgress(j, { job_id: "j1", status: "active", progress: 60, message: "half" });
    j = applyProgress(j, { job_id: "j1", status: "active", progress: 40 });
    expect([j.status, j.progress, j.message]).toEqual(["active", 60, "half"]);
  });

  it("ends with a cancellation push and ignores pushes after the end", () => {
    const running = job({ status: "active", progress: 30 });
    const cancelled = applyProgress(running, { job_id: "j1", status: "cancelled", progress: 30 });
    expect(cancelled.status).toBe("cancelled");
    const done = job({ status: "completed", progress: 100 });
    expect(applyProgress(done, { job_id: "j1", status: "active", progress: 50 })).toBe(done);
  });

  it("keeps a finished job finished when a stale answer arrives, but follows a retry", () => {
    const finished = job({ status: "completed", progress: 100, attempts: 1, result_url: "/r" });
    expect(mergeJob(finished, job({ status: "active", progress: 80, attempts: 1 }))).toBe(finished);
    const retried = job({ status: "queued", attempts: 2 });
    expect(mergeJob(job({ status: "failed", attempts: 1 }), retried)).toBe(retried);
    expect(mergeJob(undefined, retried)).toBe(retried);
  });

  it("keeps the further figure of two running copies, and a completed job is whole", () => {
    const pushed = job({ status: "active", progress: 70, attempts: 1 });
    const answered = job({ status: "active", progress: 50, attempts: 1 });
    expect(mergeJob(pushed, answered).progress).toBe(70);
    expect(mergeJob(pushed, job({ status: "completed", progress: 99, attempts: 1 })).status).toBe("completed");
    expect(shownProgress(job({ status: "completed", progress: 99 }))).toBe(100);
  });

  describe("in the store", () => {
    beforeEach(() => setActivePinia(createPinia()));

    it("applies pushes to known jobs and takes finished jobs from other tabs into the history", () => {
      const jobs = useJobs();
      jobs.byId.j1 = job({ status: "active", progress: 5 });
      jobs.order = ["j1"];
      jobs.loaded = true;
      jobs.onProgress({ job_id: "j1", status: "active", progress: 55 });
      jobs.onProgress({ job_id: "unknown", status: "active", progress: 55 });
      expect(jobs.byId.j1?.progress).toBe(55);
      expect(jobs.byId.unknown).toBeUndefined();
      jobs.onJob(job({ id: "j2", status: "completed", progress: 100 }));
      expect(jobs.order).toEqual(["j2", "j1"]);
    });
  });
});

describe("export params", () => {
  it("leaves out empty filters", () => {
    expect(exportTaskParams(emptyTaskFilters())).toEqual({});
  });

  it("names and shapes the filters as GET /api/v1/tasks does", () => {
    const from = new Date(2030, 4, 1, 15, 30);
    const to = new Date(2030, 4, 31);
    const params = exportTaskParams({
      ...emptyTaskFilters(),
      project: "p1",
      assignee: "me",
      creator: "u2",
      status: ["todo", "overdue"],
      priority: ["high", "urgent"],
      labels: [" backend ", "ui", "backend", ""],
      deadlineFrom: from,
      deadlineTo: to,
      text: "  invoice ",
      sort: "-priority",
      delimiter: ";",
      language: "en",
    });
    expect(params).toEqual({
      project: "p1",
      assignee: "me",
      creator: "u2",
      status: "todo,overdue",
      priority: "high,urgent",
      label: ["backend", "ui"],
      deadline_from: new Date(2030, 4, 1).toISOString(),
      // The last day is included: the range ends where the next day starts.
      deadline_to: new Date(2030, 5, 1).toISOString(),
      q: "invoice",
      sort: "-priority",
      delimiter: ";",
      language: "en",
    });
  });

  it("reads a task list's link back into the form", () => {
    const filters = taskFiltersFromQuery({ export: "tasks", project: "p1", status: "todo,bogus,done", label: ["a", "b,c"], deadline_to: "2030-06-01", q: "x" });
    expect(filters.project).toBe("p1");
    expect(filters.status).toEqual(["todo", "done"]);
    expect(filters.labels).toEqual(["a", "b", "c"]);
    expect(filters.deadlineTo && isoDay(filters.deadlineTo)).toBe("2030-05-31");
    expect(exportTaskParams(filters).deadline_to).toBe(new Date(2030, 5, 1).toISOString());
  });

  it("sends whole days for statistics, the last one included, and needs both ends", () => {
    const form = { from: new Date(2030, 2, 1), to: new Date(2030, 2, 31), project: null, delimiter: null, language: null };
    expect(statsParams(form)).toEqual({ from: "2030-03-01", to: "2030-03-31" });
    expect(statsParams({ ...form, project: "p1", delimiter: "," })).toEqual({ from: "2030-03-01", to: "2030-03-31", project: "p1", delimiter: "," });
    expect(statsParams({ ...form, to: null })).toBeNull();
  });

  it("starts an import into the chosen project with the uploaded file", () => {
    expect(importParams({ projectId: "p1", skipInvalid: true, delimiter: null }, "up1")).toEqual({ project_id: "p1", upload_id: "up1", skip_invalid: true });
    expect(importParams({ projectId: null, skipInvalid: false, delimiter: null }, "up1")).toBeNull();
  });
});

describe("CSV files", () => {
  it("reads quoted cells, CRLF, the BOM and either separator", () => {
    const text = '\ufeffRow;Column;Value;Reason\r\n3;Title;"a;b ""c""";"Required\r\nreally"\r\n';
    expect(sniffDelimiter(text)).toBe(";");
    expect(parseCsv(text)).toEqual([
      ["Row", "Column", "Value", "Reason"],
      ["3", "Title", 'a;b "c"', "Required\r\nreally"],
    ]);
    expect(parseCsv("a,b\n1,2")).toEqual([["a", "b"], ["1", "2"]]);
  });

  it("takes off the quote that kept a spreadsheet from running a cell", () => {
    expect(unprotect("'=SUM(A1)")).toBe("=SUM(A1)");
    expect(unprotect("'-5")).toBe("-5");
    expect(unprotect("'quoted'")).toBe("'quoted'");
  });

  it("reads the import report into rows", () => {
    const report = "\ufeffСтрока;Столбец;Значение;Причина\r\n2;Статус;'=bad;Неизвестный статус\r\n4;Название;;Обязательное поле\r\n";
    expect(parseImportReport(report)).toEqual([
      { row: 2, column: "Статус", value: "=bad", reason: "Неизвестный статус" },
      { row: 4, column: "Название", value: "", reason: "Обязательное поле" },
    ]);
    expect(parseImportReport("\ufeffrow,column,value,reason\r\n")).toEqual([]);
  });
});

describe("how jobs read", () => {
  const t = (key: string, named?: Record<string, unknown> | number) => (typeof named === "number" ? `${key}:${named}` : key);
  const d = (value: Date) => isoDay(value);

  it("sizes files in units of 1024", () => {
    expect(formatSize(512, "en")).toBe("512 bytes");
    expect(formatSize(1, "en")).toBe("1 byte");
    expect(formatSize(5, "ru")).toBe("5 байт");
    expect(formatSize(1536, "en")).toBe("1.5 kB");
    expect(formatSize(5 * 1024 * 1024, "en")).toBe("5 MB");
  });

  it("reads a stored period's days as written, the exclusive end as the day before", () => {
    expect(periodDay("2030-03-01T00:00:00+03:00", false)).toEqual(new Date(2030, 2, 1));
    expect(periodDay("2030-04-01T00:00:00+03:00", true)).toEqual(new Date(2030, 2, 31));
    expect(periodDay("2030-04-01T12:30:00+03:00", true)).toEqual(new Date(2030, 3, 1));
    expect(periodDay("soon", false)).toBeNull();
  });

  it("sums up what a job works on", () => {
    const name = (id: string) => (id === "p1" ? "OPS · Operations" : null);
    expect(jobSummary(job({ params: { project: "p1", status: "todo", label: ["a"] } }), t, d, name)).toBe("OPS · Operations · jobs.filterCount:2");
    expect(jobSummary(job({ params: {} }), t, d, name)).toBe("jobs.allProjects");
    // The server keeps the period in the user's zone (here Moscow), whatever the browser's is.
    const stats = job({ kind: "export_stats_csv", params: { from: "2030-03-01T00:00:00+03:00", to: "2030-04-01T00:00:00+03:00" } });
    expect(jobSummary(stats, t, d, name)).toBe("jobs.allProjects · 2030-03-01 – 2030-03-31");
    expect(jobSummary(job({ kind: "import_tasks_csv", params: { project_id: "gone" } }), t, d, name)).toBe("jobs.unknownProject");
  });
});
