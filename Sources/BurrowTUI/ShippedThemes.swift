/// The four shipped themes, compiled in so that an installed `burrow` (copied
/// to /usr/local/bin or anywhere) has them all. `Themes/*.json` is the source
/// people edit; `ThemeTests` fails, naming the file, until this copy equals it
/// (paste the file's text between the quotes; a literal holds the file
/// without its final line break).
public enum ShippedThemes {
    /// File name (without `.json`) → file text, in the order `t` cycles through.
    public static let files: [(name: String, json: String)] = [
        ("default", #"""
{
  "version": 1,
  "name": "default",
  "description": "Dark, for dark terminals: the built-in default and the schema of every theme.",
  "colors": {
    "background": "",
    "text": "#d7d7d7",
    "muted": "#808080",
    "header": "#1c3a5e",
    "header.text": "#ffffff",
    "selection": "#2f4f6f",
    "selection.text": "#ffffff",
    "border": "#4e4e4e",
    "focus": "#5fafff",
    "title": "#87afd7",
    "online": "#5fd75f",
    "warning": "#ffd75f",
    "error": "#ff5f5f",
    "accent": "#5fafff",
    "sparkline": "#5fd7af",
    "key": "#ffaf5f",
    "toast": "#5fd75f",
    "status.2xx": "#5fd75f",
    "status.3xx": "#5fafff",
    "status.4xx": "#ffd75f",
    "status.5xx": "#ff5f5f"
  }
}
"""#),
        ("light", #"""
{
  "version": 1,
  "name": "light",
  "description": "For light terminals.",
  "colors": {
    "background": "#ffffff",
    "text": "#1c1c1c",
    "muted": "#8a8a8a",
    "header": "#d7e7ff",
    "header.text": "#00005f",
    "selection": "#bcd7ff",
    "selection.text": "#000000",
    "border": "#b2b2b2",
    "focus": "#005fd7",
    "title": "#005faf",
    "online": "#008700",
    "warning": "#af8700",
    "error": "#d70000",
    "accent": "#005fd7",
    "sparkline": "#00875f",
    "key": "#af5f00",
    "toast": "#008700",
    "status.2xx": "#008700",
    "status.3xx": "#005fd7",
    "status.4xx": "#af8700",
    "status.5xx": "#d70000"
  }
}
"""#),
        ("high-contrast", #"""
{
  "version": 1,
  "name": "high-contrast",
  "description": "Black background, the 16 bright ANSI colours only.",
  "colors": {
    "background": "black",
    "text": "bright-white",
    "muted": "white",
    "header": "blue",
    "header.text": "bright-white",
    "selection": "bright-yellow",
    "selection.text": "black",
    "border": "white",
    "focus": "bright-yellow",
    "title": "bright-cyan",
    "online": "bright-green",
    "warning": "bright-yellow",
    "error": "bright-red",
    "accent": "bright-cyan",
    "sparkline": "bright-green",
    "key": "bright-yellow",
    "toast": "bright-green",
    "status.2xx": "bright-green",
    "status.3xx": "bright-cyan",
    "status.4xx": "bright-yellow",
    "status.5xx": "bright-red"
  }
}
"""#),
        ("monochrome", #"""
{
  "version": 1,
  "name": "monochrome",
  "description": "No colours: the terminal's own, with bold, dim and reverse video (what NO_COLOR uses).",
  "colors": {
    "background": "",
    "text": "",
    "muted": "",
    "header": "",
    "header.text": "",
    "selection": "",
    "selection.text": "",
    "border": "",
    "focus": "",
    "title": "",
    "online": "",
    "warning": "",
    "error": "",
    "accent": "",
    "sparkline": "",
    "key": "",
    "toast": "",
    "status.2xx": "",
    "status.3xx": "",
    "status.4xx": "",
    "status.5xx": ""
  }
}
"""#),
    ]
}
