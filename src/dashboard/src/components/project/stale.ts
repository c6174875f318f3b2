// Project changes made elsewhere (archived, restored, another owner's edits) are not pushed over
// Socket.IO, only member changes are. A write refused because the screen was out of date is the
// sign: read the project again so the screen shows what is true now.
import { type Ref, watch } from "vue";

import { ApiError } from "@/api/problem";
import { useProjects } from "@/stores/projects";

const STALE = new Set(["project_archived", "forbidden", "version_conflict"]);

export function useRefreshWhenStale(error: Ref<unknown>, projectId: () => string): void {
  const projects = useProjects();
  watch(error, (err) => {
    if (err instanceof ApiError && STALE.has(err.code)) {
      void projects.get(projectId(), true).then(projects.remember, () => undefined);
    }
  });
}
