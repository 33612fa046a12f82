//! `dangjian`: a static site generator for Party-building publicity sites on government intranets.
//!
//! The pipeline (see DESIGN.md): config → load → parse → link → assemble → render → sink. Each
//! stage is a module; data flows one way and nothing is global.

#![warn(missing_docs)]

pub mod check;
pub mod config;
pub mod content;
pub mod deploy;
pub mod diagnostic;
pub mod embedded;
pub mod files;
pub mod images;
pub mod init;
pub mod integrity;
pub mod ledger;
pub mod markdown;
pub mod new;
pub mod output;
pub mod render;
pub mod screen;
pub mod search;
pub mod serve;
pub mod site;
pub mod templates;
pub mod timings;
