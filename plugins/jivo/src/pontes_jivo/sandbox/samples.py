"""The sandbox's fixed cast: chats that exercise what a chat-to-CRM integration must get right.

- ``ana-first`` and ``ana-second``: two chats of one client (same ``visitor.number``), her
  phone written ``(11) 98765-4321`` once and ``+55 11 98765 4321`` the other time, her
  e-mail in different letter case;
- ``anonymous``: a visitor who left neither e-mail nor phone;
- ``bruno-offline``: a message left in the offline form;
- ``marcos-company``: a client with an organization, a category, a responsible agent,
  tags and a landline.

Everything is fixed (ids, times, texts), so two runs send the same bodies. The parts are
written in Jivo's shapes (see ``events``), with the id types of Jivo's examples.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

WIDGET_ID = "51234"
"""The channel id every sandbox body carries."""

_USER_AGENT = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
               "(KHTML, like Gecko) Chrome/124.0 Safari/537.36")

_CARLA = {"id": "12", "name": "Carla Mendes", "email": "carla@loja.example.com.br",
          "phone": "+5511912340000"}
_DIEGO = {"id": "15", "name": "Diego Alves", "email": "diego@loja.example.com.br"}


def _geo(city: str, region: str, region_code: str, lat: str, lon: str) -> dict[str, str]:
    return {"region_code": region_code, "country": "Brazil", "country_code": "BR",
            "region": region, "city": city, "latitude": lat, "longitude": lon,
            "organization": "Vivo"}


@dataclass(frozen=True)
class Sample:
    """One visitor and one conversation, in Jivo's own field names.

    ``lines`` are ``(seconds after started, "visitor" | "agent", text)``; ``event`` is the
    event the sample is meant for (``chat_finished`` unless it is an offline message).
    """

    name: str
    description: str
    chat_id: int
    visitor: dict[str, Any]
    started: int
    page: dict[str, str]
    geoip: dict[str, str]
    utm: dict[str, str] = field(default_factory=dict)
    agent: dict[str, Any] | None = None
    lines: tuple[tuple[int, str, str], ...] = ()
    organization: dict[str, Any] | None = None
    status: dict[str, Any] | None = None
    assigned_agent: dict[str, Any] | None = None
    tags: tuple[dict[str, Any], ...] = ()
    topic: dict[str, Any] | None = None
    department: dict[str, Any] | None = None
    offline_text: str | None = None
    offline_message_id: int | None = None
    event: str = "chat_finished"
    ip_addr: str = "203.0.113.10"
    user_agent: str = _USER_AGENT


SAMPLES: dict[str, Sample] = {s.name: s for s in [
    Sample(
        name="ana-first",
        description="Ana's first chat: asks for a quote; phone written '(11) 98765-4321'.",
        chat_id=7601,
        visitor={"name": "Ana Souza", "email": "ana.souza@example.com.br",
                 "phone": "(11) 98765-4321", "description": "", "number": "2198",
                 "chats_count": 1},
        started=1717400000,
        page={"url": "https://loja.example.com.br/planos/pro", "title": "Plano Pro"},
        geoip=_geo("São Paulo", "São Paulo", "SP", "-23.5475", "-46.6361"),
        utm={"source": "google", "medium": "cpc", "campaign": "plano_pro"},
        agent=_CARLA,
        lines=((0, "visitor", "Olá, o Plano Pro tem desconto anual?"),
               (14, "agent", "Oi, Ana! Tem sim: 15% no plano anual."),
               (40, "visitor", "Ótimo. Podem me mandar uma proposta?"),
               (55, "agent", "Claro, envio hoje por e-mail.")),
        tags=({"id": "17", "title": "Vendas"},),
        topic={"topic_id": 3, "title": "Preços", "parent_id": 1},
        department={"id": 281, "name": "Vendas"},
    ),
    Sample(
        name="ana-second",
        description="Ana again, a day later: phone '+55 11 98765 4321', e-mail in mixed case.",
        chat_id=7652,
        visitor={"name": "Ana Souza", "email": "Ana.Souza@Example.com.br",
                 "phone": "+55 11 98765 4321", "description": "", "number": "2198",
                 "chats_count": 2},
        started=1717486400,
        page={"url": "https://loja.example.com.br/checkout", "title": "Pagamento"},
        geoip=_geo("São Paulo", "São Paulo", "SP", "-23.5475", "-46.6361"),
        utm={"source": "instagram", "medium": "social", "campaign": "inverno"},
        agent=_DIEGO,
        lines=((0, "visitor", "Recebi a proposta. Dá para pagar no boleto?"),
               (21, "agent", "Dá sim, Ana. Gero o boleto agora."),
               (63, "visitor", "Perfeito, obrigada!")),
        topic={"topic_id": 4, "title": "Pagamento", "parent_id": 1},
    ),
    Sample(
        name="anonymous",
        description="A visitor who left neither e-mail nor phone.",
        chat_id=7660,
        visitor={"description": "", "number": "4410", "chats_count": 1},
        started=1717490000,
        page={"url": "https://loja.example.com.br/", "title": "Loja"},
        geoip=_geo("Rio de Janeiro", "Rio de Janeiro", "RJ", "-22.9064", "-43.1822"),
        agent=_CARLA,
        lines=((0, "visitor", "Vocês abrem no sábado?"),
               (9, "agent", "Abrimos das 9h às 13h."),
               (30, "visitor", "Obrigado.")),
    ),
    Sample(
        name="bruno-offline",
        description="Bruno left a message in the offline form (e-mail, no phone).",
        chat_id=7671,
        visitor={"name": "Bruno Lima", "email": "bruno.lima@example.org", "phone": "",
                 "description": "", "number": "4502", "chats_count": 1},
        started=1717502400,
        page={"url": "https://loja.example.com.br/empresas", "title": "Para empresas"},
        geoip=_geo("Curitiba", "Paraná", "PR", "-25.4278", "-49.2731"),
        utm={"source": "newsletter", "medium": "email", "campaign": "junho"},
        offline_text="Gostaria de um orçamento para 20 licenças. Podem me ligar amanhã?",
        offline_message_id=1717502400123,
        event="offline_message",
    ),
    Sample(
        name="marcos-company",
        description="A client of an organization, with category, owner, tags and a landline.",
        chat_id=7688,
        visitor={"name": "Marcos Pereira", "email": "marcos@pereiratransportes.com.br",
                 "phone": "11 3456-7890", "description": "Frota de 40 caminhões",
                 "number": "3307", "chats_count": 5},
        started=1717510000,
        page={"url": "https://loja.example.com.br/frotas", "title": "Gestão de frotas"},
        geoip=_geo("Campinas", "São Paulo", "SP", "-22.9056", "-47.0608"),
        utm={"source": "linkedin", "medium": "social", "campaign": "frotas",
             "content": "carrossel", "term": "rastreamento"},
        agent=_CARLA,
        lines=((0, "visitor", "Quero ampliar o contrato para mais 10 veículos."),
               (18, "agent", "Ótimo, Marcos! Vou atualizar a proposta."),
               (45, "agent", "Enviei a nova proposta para o seu e-mail.")),
        organization={"id": "1", "name": "Pereira Transportes"},
        status={"id": "4", "title": "contact_later"},
        assigned_agent={"id": 12, "email": "carla@loja.example.com.br", "name": "Carla Mendes"},
        tags=({"id": "17", "title": "Vendas"}, {"id": "23", "title": "Frota"}),
        department={"id": 281, "name": "Vendas"},
    ),
]}
"""Every sample chat by name, in a fixed order."""
