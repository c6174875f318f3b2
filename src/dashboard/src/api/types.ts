// Short names for the schemas the screens use.
import type { components } from "./schema";

type S = components["schemas"];
export type Me = S["User"];
export type Project = S["Project"];
export type Member = S["Member"];
export type Task = S["Task"];
export type TaskPage = S["TaskPage"];
export type TaskStatus = Task["status"];
export type Priority = Task["priority"];
export type Comment = S["Comment"];
export type Notification = S["Notification"];
export type Invitation = S["Invitation"];
export type Job = S["Job"];
export type ProjectPlugin = S["ProjectPlugin"];
export type Inbound = S["InboundView"];
export type InboundStatus = Inbound["status"];
