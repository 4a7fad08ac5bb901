"""The workspace's stylesheet, shipped inline (no CDN) in one HTML widget.

Classes are prefixed ``pm-`` so they never touch JupyterLab's own styles; colours come from
JupyterLab's theme variables where one exists, so the form also reads in a dark theme.
"""

from __future__ import annotations

import ipywidgets as widgets

CSS = """
.pm-workspace { max-width: 1100px; font-size: 13px; }
.pm-workspace .widget-label { min-width: 0; }
.pm-workspace .widget-hbox { gap: 8px; }
.pm-workspace .widget-html-content { line-height: 1.4; }
.pm-why { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; display: block; font-size: 12px;
  color: var(--jp-ui-font-color2, #6b7280); }
.pm-why b { color: var(--jp-ui-font-color1, #111827); }
.pm-title h2 { margin: 2px 0 0 0; font-size: 20px; }
.pm-title .pm-sub { color: var(--jp-ui-font-color2, #6b7280); margin-top: 2px; }
.pm-status-line { padding: 6px 10px; border-radius: 4px; border-left: 4px solid #9ca3af;
  background: var(--jp-layout-color2, #f3f4f6); line-height: 1.4; white-space: pre-wrap; }
.pm-status-line.pm-ok { border-color: #2e9e5b; background: #eaf7ef; color: #14532d; }
.pm-status-line.pm-busy { border-color: #2f6fd0; background: #eaf1fc; color: #1e3a8a; }
.pm-status-line.pm-warning { border-color: #d4a017; background: #fdf6e3; color: #713f12; }
.pm-status-line.pm-error { border-color: #c0392b; background: #fdecec; color: #7f1d1d; font-weight: 600; }
.pm-status-icon { display: inline-block; width: 1.2em; }
.pm-details textarea { font-family: var(--jp-ui-font-family, sans-serif); font-size: 13px; }
.pm-reads { font-size: 12px; line-height: 1.45; margin: 3px 2px 0 2px;
  color: var(--jp-ui-font-color1, #111827); }
.pm-reads ol { margin: 2px 0 0 0; padding-left: 20px; }
.pm-reads-label, .pm-reads-note { color: var(--jp-ui-font-color2, #6b7280); }
.pm-hint { font-size: 12px; margin: 3px 2px 0 2px; padding: 1px 6px; border-left: 3px solid #b45309;
  color: #78350f; background: #fff7ed; }
.pm-help { color: var(--jp-ui-font-color2, #6b7280); font-size: 12px; line-height: 1.45; margin: 0 0 4px 0; }
.pm-help b { color: var(--jp-ui-font-color1, #111827); }
.pm-section { font-weight: 600; font-size: 14px; margin: 10px 0 4px 0; }
.pm-empty { color: var(--jp-ui-font-color2, #6b7280); font-style: italic; padding: 6px 0; }
.pm-note { color: var(--jp-ui-font-color2, #6b7280); font-size: 12px; margin-top: 4px; }
.pm-inputs { list-style: none; padding: 0; margin: 4px 0; }
.pm-input { padding: 4px 0; border-bottom: 1px solid var(--jp-border-color2, #e5e7eb); }
.pm-ok { color: #2e9e5b; font-weight: 700; }
.pm-bad { color: #c0392b; font-weight: 700; }
.pm-error-text { color: #7f1d1d; font-family: var(--jp-code-font-family, monospace); font-size: 12px;
  margin: 2px 0 0 1.4em; white-space: pre-wrap; }
.pm-warn { color: #713f12; font-size: 12px; margin-left: 1.4em; }
.pm-table-wrap { max-height: 340px; overflow: auto; border: 1px solid var(--jp-border-color2, #e5e7eb);
  border-radius: 4px; }
.pm-table { border-collapse: collapse; width: 100%; font-size: 12px; }
.pm-table th { position: sticky; top: 0; background: var(--jp-layout-color2, #f3f4f6); text-align: left;
  padding: 4px 8px; white-space: nowrap; }
.pm-table td { padding: 3px 8px; border-top: 1px solid var(--jp-border-color3, #f0f0f0);
  vertical-align: top; }
.pm-table tr.pm-kind-noise td { color: var(--jp-ui-font-color3, #9ca3af); }
.pm-time { white-space: nowrap; font-variant-numeric: tabular-nums; }
.pm-badge { color: #fff; border-radius: 9px; padding: 0 7px; font-size: 11px; white-space: nowrap; }
.pm-cards { display: flex; flex-wrap: wrap; gap: 8px; margin: 4px 0 8px 0; }
.pm-card { flex: 1 1 118px; border: 1px solid var(--jp-border-color2, #e5e7eb); border-radius: 6px;
  padding: 6px 9px; background: var(--jp-layout-color1, #fff); }
.pm-card-label { font-size: 11px; color: var(--jp-ui-font-color2, #6b7280); white-space: nowrap; }
.pm-card-value { font-size: 15px; font-weight: 600; margin: 2px 0; line-height: 1.25; }
.pm-card-detail { font-size: 11px; color: var(--jp-ui-font-color2, #6b7280); min-height: 1em; }
.pm-chart { margin: 6px 0; overflow-x: auto; }
.pm-workspace.pm-busy .lm-TabBar-tab { pointer-events: none; opacity: 0.55; }
.pm-progress { align-items: center; margin: 4px 0; }
.pm-progress-label { font-size: 12px; color: var(--jp-ui-font-color2, #6b7280); }
.pm-impact .widget-label { min-width: 0; }
.pm-impact-note { font-size: 12px; color: var(--jp-ui-font-color2, #6b7280); }
.pm-prompt pre, .pm-pre { white-space: pre-wrap; word-break: normal; overflow-wrap: break-word;
  font-family: var(--jp-code-font-family, monospace);
  font-size: 12px;
  background: var(--jp-layout-color2, #f6f7f9); padding: 10px; border-radius: 4px; max-height: 460px;
  overflow: auto; margin: 0; }
.pm-preview { border: 1px solid var(--jp-border-color2, #e5e7eb); border-radius: 4px; padding: 4px 14px;
  max-height: 520px; overflow: auto; background: var(--jp-layout-color1, #fff); font-size: 13px; }
.pm-preview h2 { font-size: 16px; margin: 12px 0 4px 0; }
.pm-findings { list-style: none; padding: 0; margin: 0; max-height: 520px; overflow: auto; }
.pm-finding { border-left: 4px solid #9ca3af; padding: 4px 8px; margin: 0 0 6px 0;
  background: var(--jp-layout-color2, #f6f7f9); }
.pm-finding.pm-sev-error { border-color: #c0392b; }
.pm-finding.pm-sev-warning { border-color: #d4a017; }
.pm-finding.pm-sev-info { border-color: #2f6fd0; }
.pm-finding .pm-where { font-size: 11px; color: var(--jp-ui-font-color2, #6b7280); }
.pm-finding .pm-line { font-family: var(--jp-code-font-family, monospace); font-size: 11px; color: #374151;
  white-space: pre-wrap; }
.pm-pass { color: #14532d; background: #eaf7ef; padding: 6px 10px; border-radius: 4px; font-weight: 600; }
.pm-fail { color: #7f1d1d; background: #fdecec; padding: 6px 10px; border-radius: 4px; font-weight: 600; }
.pm-links a { margin-right: 4px; color: var(--jp-content-link-color, #1a5fb4); text-decoration: underline;
  font-weight: 600; }
.pm-links .pm-help { margin-right: 16px; }
.pm-diff { font-family: var(--jp-code-font-family, monospace); font-size: 12px; white-space: pre-wrap;
  max-height: 420px; overflow: auto; background: var(--jp-layout-color2, #f6f7f9); padding: 8px; }
.pm-diff .add { background: #e6ffec; display: block; }
.pm-diff .del { background: #ffebe9; display: block; }
.pm-diff .hunk { color: #6b7280; display: block; }
.pm-dead { display: none; }
.pm-workspace.jupyter-widgets-disconnected .pm-dead, .jupyter-widgets-disconnected > .pm-workspace .pm-dead {
  display: block; padding: 8px 12px; margin: 4px 0; border-radius: 4px; border-left: 4px solid #c0392b;
  background: #fdecec; color: #7f1d1d; font-weight: 600; }
.pm-team .pm-who { font-size: 12px; color: var(--jp-ui-font-color2, #6b7280); padding: 2px 0; }
.pm-conflict { border-left: 4px solid #d4a017; background: #fdf6e3; padding: 6px 10px; margin: 4px 0; }
.pm-conflict pre { white-space: pre-wrap; margin: 2px 0 6px 0; font-size: 12px; }
.pm-generating { color: #1e3a8a; background: #eaf1fc; padding: 4px 8px; border-radius: 4px; margin: 4px 0; }
"""


def stylesheet() -> widgets.HTML:
    """An HTML widget carrying the stylesheet; place it once in the workspace."""
    return widgets.HTML(f"<style>{CSS}</style>", layout=widgets.Layout(height="0px", margin="0"))


__all__ = ["CSS", "stylesheet"]
