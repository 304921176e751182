"""Where each app's entries stand in the Wagtail admin menu: one list, so that no two entries
claim the same place and the order reads as a trainer's and an admin's day goes (write,
then people, sessions, figures, certificates)."""

QUIZZES = 210
ITEM_ANALYSIS = 211
REGISTRY = 250
IMPORT_CADRES = 251
ENROL_LEARNERS = 252
UNDECIDED_PLACES = 253
TRAINING_SESSIONS = 260
DASHBOARD = 270
TARGETS = 271
CERTIFICATES = 310
DOWNLOAD_CERTIFICATES = 311
PERSONAL_DATA_REQUESTS = 254
PRIVACY_NOTICES = 255
ACCESS_LOG = 320
