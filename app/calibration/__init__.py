"""Calibration exercises: the pages leaders build them on and auditors take them on."""
