#!/bin/bash
set -euo pipefail
node scripts/warm-cache.js
node server.js
