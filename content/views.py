"""The public search page: /search/?q= over courses, lessons and stories."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from content.selectors import page_search

RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 200


@require_GET
def search(request):
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    page_obj = None
    if query:
        results = page_search(query=query, user=request.user)
        paginator = Paginator(results, RESULTS_PER_PAGE)
        try:
            page_obj = paginator.page(request.GET.get("page", 1))
        except PageNotAnInteger:
            page_obj = paginator.page(1)
        except EmptyPage:
            page_obj = paginator.page(paginator.num_pages)
    return render(
        request,
        "content/search.html",
        {"query": query, "page_obj": page_obj, "results": page_obj.object_list if page_obj else []},
    )
