package main

// Every registered paper task, so that run, validate and reproduce know them.
import _ "github.com/actrepro/actrepro/internal/tasks"
