use super::*;
use crate::lesson::{Across, Axis, Catalog, Run, Sweep, SweepTable};
use crate::sim::{Stat, Time};
use plotters::style::RGBColor;

/// Whether `svg` writes `text` as a label (plotters puts it on a line of its own).
fn label(svg: &str, text: &str) -> bool {
    svg.contains(&format!(">\n{text}\n</text>"))
}

/// How many elements are drawn in the colour of line `i`.
fn strokes(svg: &str, i: usize) -> usize {
    let RGBColor(r, g, b) = colour(i);
    svg.matches(&format!("stroke=\"#{r:02X}{g:02X}{b:02X}\""))
        .count()
}

fn sweep(lesson: &crate::lesson::Lesson) -> Sweep {
    Sweep {
        vary: Axis::parse(lesson, "clients=1,2,3,4").unwrap(),
        compare: Some(Axis::parse(lesson, "strategy=optimistic,pessimistic").unwrap()),
        settings: Vec::new(),
        metric: "increments.done".into(),
        stat: Stat::Rate,
        window: None,
        seeds: vec![1, 2, 3],
        across: Across::Median,
    }
}

#[test]
fn a_sweep_is_a_line_per_compared_value_with_the_crossover_marked() {
    let lesson = Catalog::embedded().unwrap().get("lost-update").unwrap();
    let table = SweepTable {
        rows: vec!["1".into(), "2".into(), "3".into(), "4".into()],
        cols: vec!["optimistic".into(), "pessimistic".into()],
        cells: vec![
            vec![Some(124.0), Some(83.0)],
            vec![Some(115.0), Some(84.0)],
            vec![Some(95.0), Some(84.0)],
            vec![Some(78.0), Some(84.0)],
        ],
        measured: vec![vec![3, 3]; 4],
    };
    let svg = sweep_chart(&lesson, &sweep(&lesson), &table).unwrap();
    assert!(svg.starts_with("<svg"), "{svg}");
    assert!(label(&svg, "pessimistic overtakes optimistic"));
    assert!(label(&svg, "optimistic") && label(&svg, "pessimistic"));
    assert!(svg.contains("median of 3 seeds from 1"));
    assert_eq!(strokes(&svg, 0), 2, "the line and its legend mark");
    assert_eq!(strokes(&svg, 1), 2);
    assert_eq!(svg, sweep_chart(&lesson, &sweep(&lesson), &table).unwrap());
}

#[test]
fn rows_too_close_to_call_are_shaded_and_one_column_has_no_legend() {
    let lesson = Catalog::embedded().unwrap().get("lost-update").unwrap();
    let mut table = SweepTable {
        rows: vec!["1".into(), "2".into(), "3".into(), "4".into()],
        cols: vec!["a".into(), "b".into()],
        cells: vec![
            vec![Some(10.0), Some(1.0)],
            vec![Some(5.0), Some(5.0)],
            vec![Some(5.0), Some(5.0)],
            vec![Some(1.0), Some(10.0)],
        ],
        measured: vec![vec![3, 3]; 4],
    };
    let svg = sweep_chart(&lesson, &sweep(&lesson), &table).unwrap();
    assert!(label(&svg, "b overtakes a"));
    assert!(svg.contains(r##"fill="#E1E1E1""##), "{svg}");
    table.cols.truncate(1);
    for row in &mut table.cells {
        row.truncate(1);
    }
    let svg = sweep_chart(&lesson, &sweep(&lesson), &table).unwrap();
    assert!(!svg.contains("overtakes"));
    assert_eq!(strokes(&svg, 0), 1, "one line, no legend");
    assert_eq!(strokes(&svg, 1), 0);
}

#[test]
fn a_run_is_its_rates_totals_and_latencies_over_time() {
    let lesson = Catalog::embedded().unwrap().get("failover").unwrap();
    let mut run = Run::new(lesson.clone(), 1, &[], false).unwrap();
    run.set_checkpointing(false);
    run.advance_to(Time::secs(30));
    let svg = run_chart(&run).unwrap();
    let panels = (lesson.scenario.panels)(&lesson.nodes);
    let mut drawn = 0;
    for p in &panels {
        use crate::scenarios::Panel;
        if let Panel::Rates { title, .. }
        | Panel::Totals { title, .. }
        | Panel::Latencies { title, .. } = p
        {
            assert!(label(&svg, title), "no chart of {title}");
            drawn += 1;
        }
    }
    assert!(drawn >= 2);
    assert!(label(&svg, "failover: seed 1, 0s to 30s"));
    assert!(label(&svg, "primary-down"), "phases are named");
    assert_eq!(svg, run_chart(&run).unwrap());
}

#[test]
fn ticks_have_the_digits_they_need() {
    assert_eq!(tick(0.0), "0");
    assert_eq!(tick(250.0), "250");
    assert_eq!(tick(12.34), "12.3");
    assert_eq!(tick(0.5), "0.5");
    assert_eq!(tick(2.0), "2");
}
