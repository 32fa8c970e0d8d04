"""Topics and sections over time: the counts behind /trends/ and its SVG charts."""
