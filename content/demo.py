"""Demo pages for the curriculum and the story series (sample content, original text)."""

from collections.abc import Iterable

from django.db import transaction
from wagtail.models import Page, Site

from content.models import HomePage

HOME_TITLE = "Bình đẳng giới – Đề án 8"
HOME_INTRO = (
    "<p>Chương trình bồi dưỡng kiến thức về bình đẳng giới, phân tích giới và lồng ghép giới "
    "cho cán bộ vùng đồng bào dân tộc thiểu số và miền núi. <em>(Nội dung mẫu.)</em></p>"
)


@transaction.atomic
def load_site() -> Iterable[str]:
    """Make a HomePage the root of the default site, replacing Wagtail's welcome page."""
    root = Page.get_first_root_node()
    home = HomePage.objects.first()
    if home is None:
        home = HomePage(title=HOME_TITLE, slug="trang-chu", intro=HOME_INTRO)
        root.add_child(instance=home)
        home.save_revision().publish()
        yield "Trang chủ: đã tạo."
    else:
        yield "Trang chủ: đã có."
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name="Đề án 8",
        )
    elif site.root_page_id != home.pk:
        old_root = site.root_page
        site.root_page = home
        site.site_name = "Đề án 8"
        site.save()
        if old_root.specific_class is Page and not old_root.get_children().exists():
            old_root.delete()
    yield "Trang web mặc định: trỏ tới trang chủ."
