#!/bin/sh
echo "api tests: 0 passed, 0 failed"
