// One place that binds htm to preact, so every view writes html`<div>...</div>` without a build step.
import { h, render, Fragment } from '../vendor/preact.mjs';
import htm from '../vendor/htm.mjs';

export const html = htm.bind(h);
export { render, Fragment };
export { useState, useEffect, useMemo, useRef, useCallback } from '../vendor/preact-hooks.mjs';
