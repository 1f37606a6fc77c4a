//! The terminal playground: the lesson picker, the lesson screen and its
//! panes and overlays, the app loop, and headless rendering for screenshots
//! (as text, or as SVG pictures that are a grid whatever the font).
//! It draws what scenarios expose (node views, panels, metrics, the trace)
//! and knows no scenario by name.

pub mod app;
pub mod canvas;
pub mod command_line;
pub mod config;
pub mod keys;
pub mod markdown;
pub mod overlays;
pub mod panes;
pub mod picker;
pub mod plot;
pub mod session;
pub mod shot;
pub mod svg;
pub mod terminal;
pub mod text;
pub mod theme;
