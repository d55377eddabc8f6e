// ProcessEngine
