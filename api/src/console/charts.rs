//! Charts drawn on the server as inline SVG: no script, nothing fetched, printable, and
//! readable at 1366 and 1920 pixels wide (they scale with their box).

use std::fmt::Write;

/// Escape text for SVG.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// One bar group: a label and up to two values (total, and a highlighted part of it).
pub struct Bar {
    pub label: String,
    pub total: u64,
    pub part: Option<u64>,
}

/// Horizontal bars, one row per item; the highlighted part drawn over the total.
pub fn bars(items: &[Bar], legend: Option<(&str, &str)>) -> String {
    const ROW: u32 = 26;
    const LABEL: u32 = 110;
    const WIDTH: u32 = 520;
    const PLOT: u32 = WIDTH - LABEL - 50;
    if items.is_empty() {
        return "<p class=\"muted\">暂无数据</p>".to_owned();
    }
    let max = items
        .iter()
        .map(|b| b.total.max(b.part.unwrap_or(0)))
        .max()
        .unwrap_or(0)
        .max(1);
    let top = if legend.is_some() { 24 } else { 4 };
    let height = top + ROW * items.len() as u32 + 4;
    let mut svg = format!("<svg class=\"chart-svg\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\">");
    if let Some((total, part)) = legend {
        let _ = write!(
            svg,
            "<rect x=\"{LABEL}\" y=\"4\" width=\"12\" height=\"12\" class=\"bar-total\"/><text x=\"{}\" y=\"15\" class=\"legend\">{}</text>\
             <rect x=\"{}\" y=\"4\" width=\"12\" height=\"12\" class=\"bar-part\"/><text x=\"{}\" y=\"15\" class=\"legend\">{}</text>",
            LABEL + 16,
            esc(total),
            LABEL + 90,
            LABEL + 106,
            esc(part)
        );
    }
    for (i, bar) in items.iter().enumerate() {
        let y = top + ROW * i as u32;
        let w = |v: u64| (u64::from(PLOT) * v / max) as u32;
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"label\">{}</text>\
             <rect x=\"{LABEL}\" y=\"{}\" width=\"{}\" height=\"18\" class=\"{}\"><title>{}：{}</title></rect>",
            LABEL - 8,
            y + 14,
            esc(&bar.label),
            y + 1,
            w(bar.total).max(1),
            // A single series is drawn dark; with a highlighted part, the total is light.
            if bar.part.is_some() {
                "bar-total"
            } else {
                "bar-part"
            },
            esc(&bar.label),
            bar.total
        );
        if let Some(part) = bar.part {
            let _ = write!(
                svg,
                "<rect x=\"{LABEL}\" y=\"{}\" width=\"{}\" height=\"18\" class=\"bar-part\"/>",
                y + 1,
                w(part)
            );
        }
        let shown = match bar.part {
            Some(part) => format!("{} / {part}", bar.total),
            None => bar.total.to_string(),
        };
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" class=\"value\">{shown}</text>",
            LABEL + w(bar.total).max(1) + 6,
            y + 14
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A progress bar: `done` of `goal`.
pub fn progress(done: u64, goal: u64) -> String {
    let goal = goal.max(1);
    let width = 100 * done.min(goal) / goal;
    format!(
        "<svg class=\"progress-svg\" viewBox=\"0 0 100 8\" preserveAspectRatio=\"none\" role=\"img\">\
         <rect x=\"0\" y=\"0\" width=\"100\" height=\"8\" rx=\"2\" class=\"bar-total\"/>\
         <rect x=\"0\" y=\"0\" width=\"{width}\" height=\"8\" rx=\"2\" class=\"bar-part\"><title>{done} / {goal}</title></rect></svg>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_escaped_bars_and_bounded_progress() {
        let svg = bars(
            &[Bar {
                label: "<苏州>".into(),
                total: 3,
                part: Some(1),
            }],
            Some(("全部", "已授牌")),
        );
        assert!(svg.contains("&lt;苏州&gt;") && !svg.contains("<苏州>"));
        assert!(progress(150, 100).contains("width=\"100\" height=\"8\" rx=\"2\" class=\"bar-part\""));
        assert!(bars(&[], None).contains("暂无数据"));
    }
}
