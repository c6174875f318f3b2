// Every screen has a path, and every link the backend writes (invitations, notifications, jobs,
// digests) is one of them: /invitations/<token>, /tasks/<id>, /projects/<id>, /jobs/<id>, /tasks?assignee=me.
import { createRouter, createWebHistory, type RouteRecordRaw } from "vue-router";

import { useAuth } from "@/stores/auth";

declare module "vue-router" {
  interface RouteMeta {
    public?: boolean;
    admin?: boolean;
    /** The i18n key of the page's title. */
    title?: string;
  }
}

export const routes: RouteRecordRaw[] = [
  { path: "/", redirect: "/projects" },
  { path: "/sign-in", name: "sign-in", component: () => import("@/views/SignInView.vue"), meta: { public: true, title: "auth.signIn" } },
  { path: "/register", name: "register", component: () => import("@/views/RegisterView.vue"), meta: { public: true, title: "auth.register" } },
  {
    path: "/invitations/:token",
    name: "invitation",
    component: () => import("@/views/InvitationView.vue"),
    meta: { public: true, title: "auth.invitation.accept" },
  },
  { path: "/projects", name: "projects", component: () => import("@/views/ProjectsView.vue"), meta: { title: "nav.projects" } },
  { path: "/projects/:projectId", redirect: (to) => ({ name: "board", params: to.params }) },
  { path: "/projects/:projectId/board", name: "board", component: () => import("@/views/BoardView.vue"), meta: { title: "projects.board" } },
  { path: "/projects/:projectId/list", name: "project-tasks", component: () => import("@/views/TaskListView.vue"), meta: { title: "projects.list" } },
  { path: "/projects/:projectId/settings", name: "project-settings", component: () => import("@/views/ProjectSettingsView.vue"), meta: { title: "projects.settings" } },
  { path: "/projects/:projectId/inbound", name: "project-inbound", component: () => import("@/views/InboundView.vue"), meta: { title: "inbound.title" } },
  { path: "/projects/:projectId/channels/:channelId?", name: "chat", component: () => import("@/views/ChatView.vue"), meta: { title: "projects.chat" } },
  { path: "/tasks", name: "tasks", component: () => import("@/views/TaskListView.vue"), meta: { title: "nav.myTasks" } },
  { path: "/tasks/:taskId", name: "task", component: () => import("@/views/TaskView.vue"), meta: { title: "tasks.task" } },
  { path: "/calendar", name: "calendar", component: () => import("@/views/CalendarView.vue"), meta: { title: "nav.calendar" } },
  { path: "/notifications", name: "notifications", component: () => import("@/views/NotificationsView.vue"), meta: { title: "notifications.title" } },
  {
    path: "/settings/notifications",
    name: "notification-settings",
    component: () => import("@/views/NotificationSettingsView.vue"),
    meta: { title: "nav.notificationSettings" },
  },
  { path: "/jobs", name: "jobs", component: () => import("@/views/JobsView.vue"), meta: { title: "nav.jobs" } },
  { path: "/jobs/:jobId", name: "job", component: () => import("@/views/JobsView.vue"), meta: { title: "nav.jobs" } },
  { path: "/profile", name: "profile", component: () => import("@/views/ProfileView.vue"), meta: { title: "nav.profile" } },
  { path: "/admin", redirect: "/admin/users" },
  { path: "/admin/:section(users|tasks|audit|jobs)", name: "admin", component: () => import("@/views/AdminView.vue"), meta: { admin: true, title: "nav.admin" } },
  { path: "/:pathMatch(.*)*", name: "not-found", component: () => import("@/views/NotFoundView.vue"), meta: { public: true, title: "app.notFound" } },
];

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
});

router.beforeEach(async (to) => {
  const auth = useAuth();
  await auth.init();
  if (to.meta.public) return true;
  if (!auth.signedIn) return { name: "sign-in", query: { next: to.fullPath } };
  if (to.meta.admin && !auth.isAdmin) return { name: "projects" };
  return true;
});
