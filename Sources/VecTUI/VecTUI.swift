// VecTUI: the terminal face of vecscope.
//
// Dependency rule (lazygit's, written down): state and views know nothing of the terminal or the database.
//
//   AppState (pure value)  ──reduce(&state, action)──▶  [Effect]      Update/Reducer.swift
//        │                                                  │
//   render(state, into: &grid) ▶ CellGrid (pure)            ▼
//        │                                       TUIRuntime performs effects on worker queues
//        ▼                                       through a SearchBackend and posts Actions back
//   Terminal.draw(grid): the only ncurses user, flushes the cells that changed
//
// Keybindings are data (Update/Keybinding.swift): the same table drives the reducer, the help overlay and the hints.
import VecCore
