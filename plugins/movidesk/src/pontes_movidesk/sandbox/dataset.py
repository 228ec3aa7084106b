"""A large, realistic Movidesk account generated from an integer, for exports and benchmarks.

``dataset(tickets=100_000, seed=7, now=...)`` describes an account of a Brazilian support
desk in the sandbox's seed format: agents, client companies and departments, client
people, tickets with clients, owner, actions, custom field values and satisfaction
answers, and the satisfaction survey's questions and responses. The same ``seed`` and
``now`` always give the same records, field for field.

Nothing is held in memory: each list is regenerated whenever it is iterated (the
sandbox iterates it again on ``/_sandbox/reset``), so a 100,000-ticket account costs only
what the sandbox itself stores. Ticket dates spread over two years before ``now``, so
most tickets are served by ``/tickets/past`` and the recent ones by ``/tickets``.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from .timefmt import format_instant

SPAN = timedelta(days=730)
"""How far back ticket creation dates go."""

FIRST_NAMES = ("Ana", "Bruno", "Carla", "Daniel", "Eduarda", "Felipe", "Gabriela", "Heitor",
               "Isabela", "João", "Larissa", "Marcos", "Natália", "Otávio", "Paula", "Rafael",
               "Sofia", "Thiago", "Valéria", "William", "Yasmin", "Caio", "Letícia", "Mateus")
LAST_NAMES = ("Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves",
              "Pereira", "Lima", "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Rocha",
              "Almeida", "Nascimento", "Araújo", "Melo", "Barbosa")
COMPANY_WORDS = ("Alfa", "Horizonte", "Brasil", "Sul", "Norte", "Atlântico", "Pioneira",
                 "Central", "Nova", "Real", "União", "Vale", "Serra", "Litoral", "Capital")
COMPANY_KINDS = ("Comércio", "Indústria", "Serviços", "Tecnologia", "Logística",
                 "Alimentos", "Distribuidora", "Engenharia", "Saúde", "Educação")
CITIES = (("São Paulo", "SP"), ("Rio de Janeiro", "RJ"), ("Belo Horizonte", "MG"),
          ("Curitiba", "PR"), ("Porto Alegre", "RS"), ("Recife", "PE"), ("Salvador", "BA"),
          ("Fortaleza", "CE"), ("Goiânia", "GO"), ("Campinas", "SP"), ("Florianópolis", "SC"))
STREETS = ("Rua das Flores", "Avenida Brasil", "Rua XV de Novembro", "Avenida Paulista",
           "Rua Sete de Setembro", "Avenida Beira-Mar", "Rua da Consolação")
DISTRICTS = ("Centro", "Bela Vista", "Jardins", "Savassi", "Boa Viagem", "Moinhos de Vento")
SUBJECTS = ("Erro ao emitir nota fiscal", "Dúvida sobre boleto", "Acesso bloqueado",
            "Solicitação de treinamento", "Lentidão no sistema", "Alteração de cadastro",
            "Cancelamento de pedido", "Integração com o ERP", "Relatório não carrega",
            "Troca de plano", "Senha expirada", "Cobrança em duplicidade",
            "Importação de planilha", "Certificado digital vencido", "Erro 500 no portal")
CLIENT_LINES = ("Bom dia, {subject} desde ontem.", "Olá, preciso de ajuda: {subject}.",
                "Prezados, {subject}. Podem verificar com urgência?",
                "Boa tarde! Estamos com o problema: {subject}.")
AGENT_LINES = ("Olá {client}, estamos verificando e retornamos em breve.",
               "Oi {client}, pode enviar um print da tela?",
               "{client}, o ajuste foi aplicado. Pode testar novamente?",
               "Encaminhamos para a equipe responsável, {client}.",
               "Problema resolvido, {client}. Qualquer coisa estamos à disposição.")
COMMENTS = ("Atendimento excelente!", "Demorou um pouco, mas resolveram.",
            "Não resolveu meu problema.", "Muito atenciosos.", None, None)
TAGS = ("nfe", "boleto", "urgente", "integracao", "treinamento", "erp", "cadastro", "vip")
SERVICES = (("Fiscal", ("NF-e", "NFS-e")), ("Financeiro", ("Boletos", "Cobrança")),
            ("Suporte técnico", ("Acesso", "Desempenho", "Integrações")),
            ("Comercial", ("Planos", "Contratos")))
CLOSED = ("Resolved", "Closed", "Canceled")
STATUS_BY_BASE = {"New": "Novo", "InAttendance": "Em atendimento", "Stopped": "Aguardando",
                  "Resolved": "Resolvido", "Closed": "Fechado", "Canceled": "Cancelado"}
JUSTIFICATIONS = {"Aguardando": ("Retorno do cliente", "Terceiros"),
                  "Cancelado": ("Duplicado", "Desistência do cliente")}
CATEGORIES = ("Dúvida", "Problema", "Solicitação", "Comercial")
URGENCIES = ("Baixa", "Média", "Alta", "Urgente")
TEAMS = ("Suporte", "Financeiro", "Comercial")
PLANS = ("Plano Bronze", "Plano Prata", "Plano Ouro")
SLA = (("Contrato padrão", "Regra geral", 480, 60), ("Contrato ouro", "Regra prioritária", 240, 30))
QUESTIONS = (
    ("q1Sa", 1, "Você ficou satisfeito com o atendimento?", "Were you satisfied with the service?"),
    ("q2Fc", 2, "Como você avalia o atendimento?", "How do you rate the service?"),
    ("q3Np", 3, "Quanto você recomendaria nossa empresa a um amigo?",
     "How likely are you to recommend us to a friend?"),
    ("q4Yn", 4, "Seu problema foi resolvido?", "Was your problem solved?"),
)
"""Survey questions: id, type (1 satisfied/unsatisfied, 2 faces, 3 NPS, 4 yes/no), texts."""

_BASE62 = string.digits + string.ascii_letters


@dataclass(frozen=True)
class Population:
    """How many persons of each kind an account with ``tickets`` tickets has."""

    agents: int
    companies: int
    departments: int
    clients: int

    @classmethod
    def for_tickets(cls, tickets: int) -> Population:
        """One agent per 400 tickets, a company per 40, a client person per 4 (and minimums)."""
        return cls(agents=max(4, tickets // 400), companies=max(3, tickets // 40),
                   departments=max(1, tickets // 400), clients=max(8, tickets // 4))


class Regenerated:
    """An iterable that runs ``make()`` again each time it is iterated."""

    def __init__(self, make: Callable[[], Iterator[dict[str, Any]]]):
        self._make = make

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self._make()


def dataset(tickets: int = 1000, seed: int = 0, now: datetime | None = None) -> dict[str, Any]:
    """An account in the sandbox's seed format (see the module docstring).

    Keys: ``persons``, ``tickets``, ``survey_questions`` and ``survey_responses``.
    """
    if tickets < 0:
        raise ValueError(f"tickets must be 0 or more, got {tickets}")
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    account = _Account(tickets, seed, moment)
    return {"persons": Regenerated(account.persons),
            "tickets": Regenerated(account.tickets),
            "survey_questions": Regenerated(account.survey_questions),
            "survey_responses": Regenerated(account.survey_responses)}


def response_id(number: int) -> str:
    """The short opaque id of survey response ``number`` (``"l6Bz"``-like)."""
    value = number * 7919 + 238328
    text = ""
    while value:
        value, digit = divmod(value, 62)
        text = _BASE62[digit] + text
    return text


class _Account:
    """The generator behind ``dataset``: every record is a function of its number."""

    def __init__(self, tickets: int, seed: int, now: datetime):
        self.count = tickets
        self.seed = seed
        self.now = now
        self.population = Population.for_tickets(tickets)

    def _random(self, kind: str, number: int) -> random.Random:
        return random.Random(f"{self.seed}:{kind}:{number}")

    # --- persons ------------------------------------------------------------------------

    def agent_id(self, n: int) -> str:
        """The id (Cód. Ref.) of agent ``n``."""
        return f"agent-{n:04d}"

    def company_id(self, n: int) -> str:
        """The id (Cód. Ref.) of company ``n``."""
        return f"org-{n:05d}"

    def department_id(self, n: int) -> str:
        """The id (Cód. Ref.) of department ``n``."""
        return f"dep-{n:04d}"

    def client_id(self, n: int) -> str:
        """The id (Cód. Ref.) of client ``n``."""
        return f"cli-{n:06d}"

    def persons(self) -> Iterator[dict[str, Any]]:
        """Agents, companies, departments (inside companies), then client people."""
        size = self.population
        for n in range(size.agents):
            yield self._agent(n)
        for n in range(size.companies):
            yield self._company(n)
        for n in range(size.departments):
            yield self._department(n)
        for n in range(size.clients):
            yield self._client(n)

    def _name(self, rng: random.Random) -> tuple[str, str]:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        return f"{first} {last}", f"{first}.{last}".lower()

    def _dates(self, rng: random.Random) -> dict[str, str]:
        created = self.now - SPAN - timedelta(days=rng.uniform(1, 365))
        changed = created + timedelta(days=rng.uniform(0, 600))
        return {"createdDate": format_instant(created),
                "changedDate": format_instant(min(changed, self.now))}

    def _agent(self, n: int) -> dict[str, Any]:
        rng = self._random("agent", n)
        name, login = self._name(rng)
        return {
            "id": self.agent_id(n), "personType": 1, "profileType": 3 if n % 7 == 6 else 1,
            "businessName": name, "accessProfile": "Agentes", "userName": login,
            "role": rng.choice(("Analista de suporte", "Coordenador", "Especialista")),
            "teams": [TEAMS[n % len(TEAMS)]], "cultureId": "pt-BR",
            "timeZoneId": "America/Sao_Paulo", "isActive": n % 11 != 10,
            "emails": [{"emailType": "Profissional", "email": f"{login}@suporte.example.com.br",
                        "isDefault": True}],
            **self._dates(rng),
        }

    def _company(self, n: int) -> dict[str, Any]:
        rng = self._random("company", n)
        brand = f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_KINDS)}"
        city, state = rng.choice(CITIES)
        domain = brand.lower().replace(" ", "").replace("ç", "c").replace("ã", "a") \
            .replace("é", "e").replace("ú", "u").replace("â", "a").replace("í", "i")
        return {
            "id": self.company_id(n), "personType": 2, "profileType": 2,
            "businessName": f"{brand} {n}", "corporateName": f"{brand} {n} Ltda",
            "cpfCnpj": f"{rng.randrange(10**13, 10**14)}",
            "classification": rng.choice(("Ouro", "Prata", "Bronze")), "cultureId": "pt-BR",
            "emails": [{"emailType": "Comercial", "email": f"contato@{domain}{n}.example.com.br",
                        "isDefault": True}],
            "contacts": [{"contactType": "Telefone comercial",
                          "contact": f"({rng.randrange(11, 99)}) {rng.randrange(2000, 5999)}-"
                                     f"{rng.randrange(1000, 9999)}", "isDefault": True}],
            "addresses": [{"addressType": "Comercial", "country": "Brasil",
                           "postalCode": f"{rng.randrange(10000, 99999)}-{rng.randrange(100, 999)}",
                           "state": state, "city": city, "district": rng.choice(DISTRICTS),
                           "street": rng.choice(STREETS), "number": str(rng.randrange(1, 3000)),
                           "complement": rng.choice((None, "Sala 12", "10º andar")),
                           "reference": None, "isDefault": True}],
            **self._dates(rng),
        }

    def _department(self, n: int) -> dict[str, Any]:
        rng = self._random("department", n)
        company = self.company_id(n % self.population.companies)
        return {
            "id": self.department_id(n), "personType": 4, "profileType": 2,
            "businessName": f"{rng.choice(('Financeiro', 'Compras', 'TI', 'RH'))} {n}",
            "relationships": [{"id": company, "slaAgreement": None,
                               "forceChildrenToHaveSomeAgreement": False,
                               "allowAllServices": True, "includeInParents": False,
                               "loadChildOrganizations": False}],
            **self._dates(rng),
        }

    def _client(self, n: int) -> dict[str, Any]:
        rng = self._random("client", n)
        name, login = self._name(rng)
        emails = [{"emailType": "Profissional", "email": f"{login}{n}@cliente.example.com.br",
                   "isDefault": True}]
        if rng.random() < 0.3:
            emails.append({"emailType": "Pessoal", "email": f"{login}{n}@gmail.example.com",
                           "isDefault": False})
        contacts = [{"contactType": rng.choice(("Telefone celular", "Telefone fixo", "WhatsApp")),
                     "contact": f"+55 {rng.randrange(11, 99)} 9{rng.randrange(1000, 9999)}-"
                                f"{rng.randrange(1000, 9999)}", "isDefault": i == 0}
                    for i in range(rng.choice((0, 1, 1, 2)))]
        person: dict[str, Any] = {
            "id": self.client_id(n), "personType": 1, "profileType": 2, "businessName": name,
            "cpfCnpj": f"{rng.randrange(10**10, 10**11)}", "cultureId": "pt-BR",
            "timeZoneId": "America/Sao_Paulo", "emails": emails, "contacts": contacts,
            "role": rng.choice((None, "Gerente", "Analista", "Diretor", "Assistente")),
            **self._dates(rng),
        }
        if rng.random() < 0.75:
            company = self.company_id(rng.randrange(self.population.companies))
            person["relationships"] = [{
                "id": company, "slaAgreement": rng.choice((None, "Contrato padrão")),
                "forceChildrenToHaveSomeAgreement": False, "allowAllServices": rng.random() < 0.5,
                "includeInParents": False, "loadChildOrganizations": False}]
        return person

    # --- tickets ------------------------------------------------------------------------

    def tickets(self) -> Iterator[dict[str, Any]]:
        """Tickets 1..N, created in number order over the last two years."""
        for number in range(1, self.count + 1):
            yield self._ticket(number)

    def _moments(self, number: int, rng: random.Random) -> tuple[datetime, datetime]:
        position = number / max(self.count, 1)
        created = self.now - SPAN * (1 - position) - timedelta(hours=rng.uniform(1, 48))
        quiet = rng.expovariate(1 / 6)
        updated = min(created + timedelta(days=quiet, minutes=rng.uniform(5, 600)),
                      self.now - timedelta(minutes=rng.uniform(1, 30)))
        return created, updated

    def _head(self, number: int) -> tuple[random.Random, datetime, datetime, str, str]:
        """A ticket's random source, creation and last change, base status and client."""
        rng = self._random("ticket", number)
        created, updated = self._moments(number, rng)
        base = self._base_status(rng, self.now - updated)
        client = self.client_id(rng.randrange(self.population.clients))
        return rng, created, updated, base, client

    def _ticket(self, number: int) -> dict[str, Any]:
        rng, created, updated, base, client = self._head(number)
        status = STATUS_BY_BASE[base]
        clients = [{"id": client}]
        if rng.random() < 0.08:
            clients.append({"id": self.company_id(rng.randrange(self.population.companies))})
        agent_number = rng.randrange(self.population.agents)
        owner = {"id": self.agent_id(agent_number)} if base != "New" or rng.random() < 0.3 else None
        subject = rng.choice(SUBJECTS)
        service, levels = rng.choice(SERVICES)
        second = rng.choice(levels)
        sla = rng.choice(SLA) if rng.random() < 0.7 else None
        closed = base in CLOSED
        ticket: dict[str, Any] = {
            "id": number, "protocol": f"{created:%Y%m%d}{number:07d}", "type": 2 if rng.random() < 0.9 else 1,
            "subject": f"{subject} #{number}", "category": rng.choice(CATEGORIES),
            "urgency": rng.choice(URGENCIES), "status": status,
            "justification": rng.choice(JUSTIFICATIONS[status]) if status in JUSTIFICATIONS else None,
            "origin": rng.choice((1, 2, 3, 3, 5, 9, 18)),
            "createdDate": created, "lastUpdate": updated, "lastActionDate": updated,
            "ownerTeam": TEAMS[agent_number % len(TEAMS)] if owner else None, "owner": owner,
            "createdBy": {"id": client}, "clients": clients,
            "serviceFull": [service, second], "serviceFirstLevelId": SERVICES.index((service, levels)) + 1001,
            "serviceFirstLevel": service, "serviceSecondLevel": second,
            "tags": rng.sample(TAGS, rng.choice((0, 0, 1, 1, 2, 3))),
            "cc": f"copia{number}@cliente.example.com.br" if rng.random() < 0.05 else None,
            "resolvedIn": updated if base in ("Resolved", "Closed") else None,
            "closedIn": updated if base == "Closed" else None,
            "canceledIn": updated if base == "Canceled" else None,
            "reopenedIn": created + (updated - created) / 2 if rng.random() < 0.04 else None,
            "lifeTimeWorkingTime": int((updated - created).total_seconds() // 60 // 3),
            "stoppedTime": rng.choice((0, 0, 0, rng.randrange(10, 5000))),
            "stoppedTimeWorkingTime": rng.choice((0, 0, rng.randrange(5, 2000))),
            "resolvedInFirstCall": closed and rng.random() < 0.2,
            "slaAgreement": sla[0] if sla else None, "slaAgreementRule": sla[1] if sla else None,
            "slaSolutionTime": sla[2] if sla else None, "slaResponseTime": sla[3] if sla else None,
            "slaSolutionChangedByUser": rng.random() < 0.02,
            "slaSolutionDate": created + timedelta(minutes=sla[2]) if sla else None,
            "slaSolutionDateIsPaused": base == "Stopped",
            "slaResponseDate": created + timedelta(minutes=sla[3]) if sla else None,
            "slaRealResponseDate": created + timedelta(minutes=rng.uniform(5, 120)) if owner else None,
        }
        if ticket["origin"] == 5:
            ticket.update(chatWidget="Widget do site", chatGroup="Atendimento online",
                          chatTalkTime=rng.randrange(60, 1800), chatWaitingTime=rng.randrange(5, 600))
        ticket["actions"] = self._actions(rng, number, created, updated, client, owner)
        ticket["customFieldValues"] = self._custom_values(rng, number)
        ticket["satisfactionSurveyResponses"] = self._ticket_survey(number, client, closed, updated)
        return ticket

    def _base_status(self, rng: random.Random, age: timedelta) -> str:
        if age > timedelta(days=30):
            return rng.choices(("Closed", "Resolved", "Canceled"), (70, 22, 8))[0]
        return rng.choices(("New", "InAttendance", "Stopped", "Resolved", "Closed"),
                           (15, 30, 15, 25, 15))[0]

    def _actions(self, rng: random.Random, number: int, created: datetime, updated: datetime,
                 client: str, owner: dict[str, Any] | None) -> list[dict[str, Any]]:
        count = min(1 + int(rng.expovariate(1 / 2.5)), 12)
        first_name = "cliente"
        actions = []
        for i in range(count):
            when = created + (updated - created) * (i / max(count - 1, 1)) if count > 1 else created
            by_agent = owner is not None and i % 2 == 1
            if by_agent:
                text = rng.choice(AGENT_LINES).format(client=first_name)
                author = owner
            else:
                text = rng.choice(CLIENT_LINES).format(subject=rng.choice(SUBJECTS).lower())
                author = {"id": client}
            actions.append({"type": 1 if by_agent and rng.random() < 0.1 else 2,
                            "origin": 2 if by_agent else rng.choice((1, 3, 9)),
                            "description": f"<p>{text}</p>", "createdBy": author,
                            "createdDate": when,
                            "tags": ["interno"] if rng.random() < 0.03 else []})
        return actions

    def _custom_values(self, rng: random.Random, number: int) -> list[dict[str, Any]]:
        values = []
        if rng.random() < 0.6:
            values.append({"customFieldId": 5001, "customFieldRuleId": 7001, "line": 1,
                           "value": f"{rng.randrange(10**13, 10**14)}", "items": []})
        if rng.random() < 0.5:
            values.append({"customFieldId": 5002, "customFieldRuleId": 7001, "line": 1,
                           "value": None, "items": [{"customFieldItem": rng.choice(PLANS)}]})
        if rng.random() < 0.4:
            amount = rng.randrange(1000, 5_000_000) / 100
            values.append({"customFieldId": 5003, "customFieldRuleId": 7001, "line": 1,
                           "value": _brazilian(amount), "items": []})
        if rng.random() < 0.2:
            due = self.now + timedelta(days=rng.randrange(-200, 60))
            values.append({"customFieldId": 5004, "customFieldRuleId": 7001, "line": 1,
                           "value": f"{due:%Y-%m-%d}T00:00:00.000Z", "items": []})
        return values

    def _survey_answer(self, number: int) -> tuple[str, int, int] | None:
        """(question id, type, value) of the answer to ticket ``number``'s survey, if any."""
        rng = self._random("survey", number)
        if rng.random() >= 0.3:
            return None
        question, kind, _, _ = rng.choice(QUESTIONS)
        value = {1: rng.choice((1, 1, 1, 2)), 2: rng.choice((3, 4, 4, 5, 5, 1)),
                 3: rng.choice((10, 9, 9, 8, 7, 6, 3)), 4: rng.choice((1, 1, 2))}[kind]
        return question, kind, value

    def _ticket_survey(self, number: int, client: str, closed: bool,
                       updated: datetime) -> list[dict[str, Any]]:
        answer = self._survey_answer(number) if closed else None
        if answer is None:
            return []
        _, kind, value = answer
        model = {1: 1, 2: 2, 3: 3, 4: 1}[kind]
        return [{"id": response_id(number), "satisfactionSurveyModel": model,
                 "positiveNegativeResponse": value if model == 1 else None,
                 "smileyFacesResponse": value if model == 2 else None,
                 "netPromoterScoreResponse": value if model == 3 else None,
                 "comments": self._random("comment", number).choice(COMMENTS),
                 "responseDate": format_instant(updated + timedelta(hours=2))}]

    # --- surveys ------------------------------------------------------------------------

    def survey_questions(self) -> Iterator[dict[str, Any]]:
        """The account's four survey questions, in Portuguese and English."""
        for question, kind, portuguese, english in QUESTIONS:
            yield {"id": question, "type": kind, "isActive": kind != 4,
                   "languages": [{"cultureId": "pt-BR", "description": portuguese},
                                 {"cultureId": "en-US", "description": english}]}

    def survey_responses(self) -> Iterator[dict[str, Any]]:
        """One response for each closed ticket whose client answered the survey."""
        for number in range(1, self.count + 1):
            _, _, updated, base, client = self._head(number)
            answer = self._survey_answer(number) if base in CLOSED else None
            if answer is None:
                continue
            question, kind, value = answer
            yield {"id": response_id(number), "questionId": question, "clientId": client,
                   "type": kind, "ticketId": number,
                   "responseDate": format_instant(updated + timedelta(hours=2)),
                   "commentary": self._random("comment", number).choice(COMMENTS),
                   "value": value}


def _brazilian(amount: float) -> str:
    """``1530.75`` -> ``"1.530,75"`` (the format of Movidesk number custom fields)."""
    whole, cents = f"{amount:,.2f}".split(".")
    return f"{whole.replace(',', '.')},{cents}"
