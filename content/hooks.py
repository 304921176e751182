"""Hook names through which other apps add their panels to content's pages.

Content renders the curriculum and knows nothing of learners or figures. An app that has
something to show on a page (the learner's progress and enrol button, the link to take a
quiz, the programme's totals on the home page) registers a function for one of these names
with `wagtail.hooks.register`; the page's template calls every registered function through
content's `page_hooks` template tags and shows what they return, in hook order. With no
function registered the page renders without the panel.

Each function receives the page's template context (`request`, `page`, `csrf_token` and what
the page's `get_context` added) and returns HTML: a safe string is shown as is, any other
string is escaped, an empty string or None shows nothing.
"""

# fn(context, page): panels of a course page, below its facts. `page` is the CoursePage.
COURSE_PAGE_PANELS = "content_course_page_panels"

# fn(context, page, lesson): what a course page's outline shows after a lesson's title (the
# learner's tick on a lesson done). `page` is the CoursePage, `lesson` a live lesson of it.
COURSE_OUTLINE_LESSON_MARKS = "content_course_outline_lesson_marks"

# fn(context, page): panels of a lesson page, after its body. `page` is the LessonPage;
# the context holds `course` (a plain Page) and `course_lessons` (its live lessons in order).
LESSON_PAGE_PANELS = "content_lesson_page_panels"

# fn(context, quiz, page): what a quiz block offers below the quiz's title and size (in a
# lesson's body, and a course's final quiz). `page` is the page showing the block, or
# whatever the block's context holds when rendered outside a page (a preview).
QUIZ_BLOCK_ACTIONS = "content_quiz_block_actions"

# fn(context, page): panels of the home page, between the introduction and the page links.
HOME_PAGE_PANELS = "content_home_page_panels"
