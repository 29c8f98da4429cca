// Package tasks links every paper task into a program: importing it (as
// cmd/actrepro and kernel/ do) runs each task package's init, which
// registers the task with the runner under the name specs use in
// [experiment] task.
//
// A new task package (internal/tasks/<name>) adds one blank import line to
// tasks.go.
package tasks
